"""The commission scheme's versions (issue 13 §8): a new version with its tiers, audited;
refused input names its field and writes nothing; a version whose month has begun is never
changed; two managers at once leave one version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import CommissionScheme, CommissionTier
from reports.services.commission import SchemePercents, TierInput, commission_scheme_create
from tests.concurrency import race, require_postgres
from tests.factories import UserFactory
from tests.reports.factories_commission import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)
NOW = at(dt.date(2026, 11, 20))
PERCENTS = SchemePercents(value_added=Decimal("5"), finance=Decimal("1.5"),
                          insurance=Decimal("6"))


def _tiers(*pairs):
    return [TierInput(min_units=units, amount_per_unit=Decimal(amount))
            for units, amount in pairs]


def _create(store, actor, *, valid_from=DEC, tiers=None, percents=PERCENTS, now=NOW, **kw):
    return commission_scheme_create(
        store=store, valid_from=valid_from, actor=actor, percents=percents, now=now,
        tiers=_tiers((1, "300"), (5, "400"), (10, "500")) if tiers is None else tiers, **kw)


def _nothing_written():
    return (CommissionScheme.objects.count(), CommissionTier.objects.count(),
            AuditEntry.objects.count())


def test_create_writes_the_version_its_tiers_and_an_audit_row(store, manager):
    scheme = _create(store, manager, note="年底冲量")

    assert (scheme.valid_from, scheme.value_added_percent, scheme.finance_percent,
            scheme.insurance_percent, scheme.note, scheme.created_by, scheme.created_at) == (
        DEC, Decimal("5"), Decimal("1.5"), Decimal("6"), "年底冲量", manager, NOW)
    assert list(scheme.tiers.values_list("min_units", "amount_per_unit")) == [
        (1, Decimal("300.00")), (5, Decimal("400.00")), (10, Decimal("500.00"))]
    entry = AuditEntry.objects.get(object_id=str(scheme.pk), action=AuditAction.CREATE)
    assert (entry.actor, entry.changes["tiers"]) == (
        manager, [None, [[1, "300.00"], [5, "400.00"], [10, "500.00"]]])


def test_create_files_each_tier_under_the_schemes_store(store, manager):
    scheme = _create(store, manager)

    assert list(scheme.tiers.values_list("store_id", flat=True)) == [store.pk] * 3


def test_first_tier_may_start_at_zero_units(store, manager):
    scheme = _create(store, manager, tiers=_tiers((0, "100"), (3, "200")))

    assert list(scheme.tiers.values_list("min_units", flat=True)) == [0, 3]


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"tiers": []}, "tiers",
     "Enter at least one tier: from how many units, and the amount per unit."),
    ({"tiers": _tiers((2, "300"), (5, "400"))}, "tiers", "The first tier starts at 0 or 1 unit."),
    ({"tiers": _tiers((1, "300"), (5, "400"), (5, "500"))}, "tiers",
     "Each tier starts at more units than the one before it."),
    ({"tiers": _tiers((1, "300"), (8, "400"), (5, "500"))}, "tiers",
     "Each tier starts at more units than the one before it."),
    ({"tiers": _tiers((1, "-1"))}, "tiers",
     "Each amount per unit is zero or more, in yuan and fen."),
    ({"percents": SchemePercents(value_added=Decimal("100.01"))}, "value_added_percent",
     "Enter a percentage between 0 and 100 (two decimals at most)."),
    ({"percents": SchemePercents(finance=Decimal("-1"))}, "finance_percent",
     "Enter a percentage between 0 and 100 (two decimals at most)."),
    ({"percents": SchemePercents(insurance=Decimal("101"))}, "insurance_percent",
     "Enter a percentage between 0 and 100 (two decimals at most)."),
    ({"valid_from": dt.date(2026, 12, 15)}, "valid_from",
     "Choose the month the version starts in."),
])
def test_refused_input_names_its_field_and_writes_nothing(store, manager, kwargs, field,
                                                          message):
    before = _nothing_written()

    with pytest.raises(ValidationError) as refused:
        _create(store, manager, **kwargs)

    assert refused.value.message_dict == {field: [message]}
    assert _nothing_written() == before


def test_a_past_month_is_refused(store, manager):
    with pytest.raises(ValidationError) as refused:
        _create(store, manager, valid_from=dt.date(2026, 10, 1))

    assert list(refused.value.message_dict) == ["valid_from"]
    assert CommissionScheme.objects.count() == 0


def test_more_than_twelve_months_ahead_is_refused(store, manager):
    with pytest.raises(ValidationError) as refused:
        _create(store, manager, valid_from=dt.date(2027, 12, 1))

    assert list(refused.value.message_dict) == ["valid_from"]
    assert _create(store, manager, valid_from=dt.date(2027, 11, 1)).pk is not None


def test_a_version_whose_month_has_begun_is_never_changed(store, manager):
    kept = _create(store, manager, valid_from=NOV, tiers=_tiers((1, "300")))

    with pytest.raises(ValidationError) as refused:
        _create(store, manager, valid_from=NOV, tiers=_tiers((1, "900")))

    assert refused.value.message_dict == {"valid_from": [
        "The version from 2026-11 is already in force and can't be changed; start the "
        "change in a later month."]}
    assert list(CommissionScheme.objects.values_list("pk", "valid_from")) == [(kept.pk, NOV)]
    assert list(CommissionTier.objects.values_list("amount_per_unit", flat=True)) == [
        Decimal("300.00")]


def test_a_version_for_a_month_not_begun_is_replaced(store, manager):
    first = _create(store, manager, valid_from=DEC, tiers=_tiers((1, "300")))

    second = _create(store, manager, valid_from=DEC, tiers=_tiers((1, "350")))

    assert list(CommissionScheme.objects.values_list("pk", flat=True)) == [second.pk]
    assert list(second.tiers.values_list("amount_per_unit", flat=True)) == [Decimal("350.00")]
    deleted = AuditEntry.objects.get(object_id=str(first.pk), action=AuditAction.DELETE)
    assert deleted.changes["replaced"][0]["tiers"] == [[1, "300.00"]]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.FINANCE])
def test_only_a_manager_sets_the_scheme(store, role):
    actor = UserFactory(role=role, store=store)

    with pytest.raises(PermissionDenied):
        _create(store, actor)

    assert CommissionScheme.objects.count() == 0


def test_a_manager_of_another_store_may_not(store, other_store):
    other_manager = UserFactory(role=Role.MANAGER, store=other_store)

    with pytest.raises(PermissionDenied):
        _create(store, other_manager)

    assert CommissionScheme.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_managers_at_once_leave_one_version(store, manager):
    require_postgres()
    colleague = UserFactory(role=Role.MANAGER, store=store)

    results = race(
        lambda: _create(store, manager, valid_from=NOV, tiers=_tiers((1, "300"))),
        lambda: _create(store, colleague, valid_from=NOV, tiers=_tiers((1, "400"))))

    winners = [r for r in results if isinstance(r, CommissionScheme)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert list(losers[0].message_dict) == ["valid_from"]
    assert list(CommissionScheme.objects.values_list("pk", flat=True)) == [winners[0].pk]
    assert CommissionTier.objects.count() == 1
