"""Targets and the working calendar: the services (upsert, removal, audit, refusals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import ClosedDay, ReportSettings, Target
from reports.services.targets import (
    closed_day_add,
    closed_day_remove,
    report_settings_update,
    targets_copy_previous_month,
    targets_set,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

# 10 April 2026, noon in Shanghai.
NOW = dt.datetime(2026, 4, 10, 4, 0, tzinfo=dt.UTC)
APRIL = dt.date(2026, 4, 1)
MARCH = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _clock():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def _targets(store, month=APRIL):
    return sorted(((t.consultant_id, t.metric, t.value)
                   for t in Target.objects.filter(store=store, month=month)),
                  key=lambda row: (row[0] or 0, row[1]))


def _audits(model):
    return list(AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
                .order_by("id").values_list("action", "changes"))


def test_targets_set_creates_changes_and_removes_with_one_audit_row_each(
        store, consultant, teammate, manager):
    targets_set(store=store, month=APRIL, actor=manager, values={
        (consultant.pk, "deals"): Decimal("8"), (teammate.pk, "deals"): Decimal("6"),
        (None, "deals"): Decimal("14"), (None, "value_added"): Decimal("35000.50")})

    changed = targets_set(store=store, month=APRIL, actor=manager, values={
        (consultant.pk, "deals"): Decimal("9"),   # changed
        (teammate.pk, "deals"): None,             # removed
        (None, "deals"): Decimal("14"),           # unchanged
        (None, "walk_ins"): None,                 # nothing to remove
    })

    assert changed == 2
    assert _targets(store) == [
        (None, "deals", Decimal("14.00")), (None, "value_added", Decimal("35000.50")),
        (consultant.pk, "deals", Decimal("9.00")),
    ]
    assert [action for action, _c in _audits(Target)] == [
        AuditAction.CREATE] * 4 + [AuditAction.UPDATE, AuditAction.DELETE]
    assert _audits(Target)[4][1] == {"value": ["8.00", "9.00"]}
    assert _audits(Target)[5][1] == {"value": ["6.00", None]}
    assert Target.objects.get(store=store, consultant=consultant).updated_by == manager


@pytest.mark.parametrize(("metric", "value", "message"), [
    ("deals", Decimal("-1"), "A target cannot be negative."),
    ("deals", Decimal("2.5"), "Enter a whole number."),
    ("walk_ins", Decimal("0.01"), "Enter a whole number."),
    ("value_added", Decimal("100.005"), "Enter an amount in yuan with at most two decimal places."),
])
def test_targets_set_refuses_a_wrong_cell_naming_it_and_writes_nothing(
        store, consultant, manager, metric, value, message):
    targets_set(store=store, month=APRIL, actor=manager,
                values={(None, "deals"): Decimal("10")})
    audits_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        targets_set(store=store, month=APRIL, actor=manager, values={
            (None, "deals"): Decimal("12"), (consultant.pk, metric): value})

    assert refused.value.message_dict == {f"t_{consultant.pk}_{metric}": [message]}
    assert _targets(store) == [(None, "deals", Decimal("10.00"))]
    assert AuditEntry.objects.count() == audits_before


@pytest.mark.parametrize("month", [dt.date(2024, 3, 1), dt.date(2027, 5, 1)])
def test_targets_set_refuses_a_month_outside_the_range(store, manager, month):
    with pytest.raises(ValidationError) as refused:
        targets_set(store=store, month=month, actor=manager,
                    values={(None, "deals"): Decimal("10")})

    assert list(refused.value.message_dict) == ["month"]
    assert Target.objects.count() == 0


def test_targets_set_accepts_the_range_ends(store, manager):
    # 24 months back (April 2024) and 12 ahead (April 2027) of April 2026.
    for month in (dt.date(2024, 4, 1), dt.date(2027, 4, 1)):
        targets_set(store=store, month=month, actor=manager,
                    values={(None, "deals"): Decimal("1")})

    assert Target.objects.count() == 2


def test_targets_set_refuses_a_consultant_of_another_store(store, outsider, manager):
    with pytest.raises(ValidationError) as refused:
        targets_set(store=store, month=APRIL, actor=manager,
                    values={(outsider.pk, "deals"): Decimal("5")})

    assert list(refused.value.message_dict) == [f"t_{outsider.pk}_deals"]
    assert Target.objects.count() == 0


def test_copy_previous_month_fills_only_the_empty_cells_of_active_consultants(
        store, consultant, teammate, manager):
    targets_set(store=store, month=MARCH, actor=manager, values={
        (consultant.pk, "deals"): Decimal("8"), (teammate.pk, "deals"): Decimal("6"),
        (None, "deals"): Decimal("14")})
    targets_set(store=store, month=APRIL, actor=manager,
                values={(consultant.pk, "deals"): Decimal("10")})
    teammate.is_active = False
    teammate.save(update_fields=["is_active"])

    copied = targets_copy_previous_month(store=store, month=APRIL, actor=manager)

    assert copied == 1
    assert _targets(store) == [(None, "deals", Decimal("14.00")),
                               (consultant.pk, "deals", Decimal("10.00"))]
    assert targets_copy_previous_month(store=store, month=APRIL, actor=manager) == 0


def test_report_settings_update_creates_then_changes_with_audit(store, manager):
    report_settings_update(store=store, working_weekdays="654321",
                           daily_report_at=dt.time(19, 0), actor=manager)
    report_settings_update(store=store, working_weekdays="123456",
                           daily_report_at=dt.time(19, 30), actor=manager)

    settings = ReportSettings.objects.get(store=store)
    assert (settings.working_weekdays, settings.daily_report_at) == ("123456", dt.time(19, 30))
    assert _audits(ReportSettings) == [
        (AuditAction.CREATE, {"working_weekdays": ["1234567", "123456"],
                              "daily_report_at": ["18:30:00", "19:00:00"]}),
        (AuditAction.UPDATE, {"daily_report_at": ["19:00:00", "19:30:00"]}),
    ]


def test_report_settings_update_refuses_no_working_day(store, manager):
    with pytest.raises(ValidationError) as refused:
        report_settings_update(store=store, working_weekdays="",
                               daily_report_at=dt.time(19, 0), actor=manager)

    assert list(refused.value.message_dict) == ["working_weekdays"]
    assert not ReportSettings.objects.exists()


def test_closed_day_add_and_remove_are_audited(store, manager):
    closed = closed_day_add(store=store, day=dt.date(2026, 5, 1), note="劳动节", actor=manager)
    closed_day_remove(store=store, pk=closed.pk, actor=manager)

    assert not ClosedDay.objects.exists()
    assert [action for action, _c in _audits(ClosedDay)] == [AuditAction.CREATE,
                                                             AuditAction.DELETE]


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), dt.date(2028, 1, 1)])
def test_closed_day_add_refuses_a_day_outside_this_year_plus_minus_one(store, manager, day):
    with pytest.raises(ValidationError) as refused:
        closed_day_add(store=store, day=day, note="", actor=manager)

    assert list(refused.value.message_dict) == ["day"]
    assert not ClosedDay.objects.exists()


def test_closed_day_add_refuses_a_day_already_closed(store, manager):
    closed_day_add(store=store, day=dt.date(2026, 10, 1), note="国庆节", actor=manager)

    with pytest.raises(ValidationError) as refused:
        closed_day_add(store=store, day=dt.date(2026, 10, 1), note="again", actor=manager)

    assert refused.value.message_dict == {"day": ["This day is already marked closed."]}
    assert ClosedDay.objects.get().note == "国庆节"


def test_closed_day_remove_twice_is_refused_without_a_field(store, manager):
    closed = closed_day_add(store=store, day=dt.date(2026, 10, 1), note="", actor=manager)
    closed_day_remove(store=store, pk=closed.pk, actor=manager)

    with pytest.raises(ValidationError) as refused:
        closed_day_remove(store=store, pk=closed.pk, actor=manager)

    assert not hasattr(refused.value, "error_dict")


def test_closed_days_shorten_the_pace(store, manager):
    from reports.selectors.targets import pace_of

    report_settings_update(store=store, working_weekdays="12345",
                           daily_report_at=dt.time(18, 30), actor=manager)
    closed_day_add(store=store, day=dt.date(2026, 4, 6), note="清明节", actor=manager)

    pace = pace_of(store=store, day=dt.date(2026, 4, 10))

    # April 2026: 22 weekdays (Wed 1st … Thu 30th), less the 6th: 21; by Fri 10th, 7 of them.
    assert (pace.elapsed, pace.total) == (7, 21)


def test_targets_of_an_inactive_user_role_are_refused(store, manager):
    supervisor = UserFactory(role=Role.SUPERVISOR, store=store)

    with pytest.raises(ValidationError):
        targets_set(store=store, month=APRIL, actor=manager,
                    values={(supervisor.pk, "deals"): Decimal("5")})


def test_a_target_month_is_its_first_day(store):
    target = Target(store=store, month=dt.date(2026, 3, 2), metric="deals", value=Decimal(5))

    with pytest.raises(ValidationError) as refused:
        target.full_clean()

    assert list(refused.value.message_dict) == ["month"]


@pytest.mark.parametrize("instant", ["18:30:00", "18:30:09"])
def test_report_time_default_raises_no_fixed_default_warning_at_that_time(instant):
    """Django's fields.W161 flags a fixed time default that equals the clock (±10 s): the
    deploy check failed when it ran at 18:30 UTC. The default is a callable now."""
    hour, minute, second = map(int, instant.split(":"))
    at = dt.datetime(2026, 12, 7, hour, minute, second, tzinfo=dt.UTC)
    field = ReportSettings._meta.get_field("daily_report_at")

    with mock.patch.object(timezone, "now", return_value=at):
        warnings = [message.id for message in field.check()]

    assert "fields.W161" not in warnings
    assert field.get_default() == dt.time(18, 30)
    assert ReportSettings(store_id=1).daily_report_at == dt.time(18, 30)
