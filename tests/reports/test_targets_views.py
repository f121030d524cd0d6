"""The targets page and the working calendar: who sees which lines, saving the grid,
refusals that keep the grid, the pace, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from dealership.enums import AuditAction, Role, Seniority
from dealership.models import AuditEntry
from reports.models import ClosedDay, ReportSettings, Target
from reports.services.targets import closed_day_add, targets_set
from tests.factories import TeamFactory, UserFactory
from tests.helpers import english
from tests.showroom.factories import VisitFactory

pytestmark = pytest.mark.django_db

TARGETS = "/reports/targets/"
COPY = "/reports/targets/copy/"
CALENDAR = "/reports/targets/calendar/"
CLOSED = "/reports/targets/calendar/closed/"
# 10 April 2026, noon in Shanghai: 10 of April's 30 days (the store works every day).
NOW = dt.datetime(2026, 4, 10, 4, 0, tzinfo=dt.UTC)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _clock():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def _visits(store, consultant, count):
    for n in range(count):
        VisitFactory(store=store, consultant=consultant,
                     arrived_at=dt.datetime(2026, 4, 2 + n, 3, 0, tzinfo=dt.UTC))


def _grid(consultants, **cells):
    """A full POST of the grid: every cell empty but those given (name → value)."""
    data = {"month": "2026-04"}
    for key in ["store", *(c.pk for c in consultants)]:
        for metric in ("deals", "walk_ins", "test_drives", "invitations", "new_leads",
                       "value_added"):
            data[f"t_{key}_{metric}"] = ""
    data.update(cells)
    return data


# --- Access -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in Role
                                  if r not in (Role.MANAGER, Role.SUPERVISOR, Role.CONSULTANT)])
def test_targets_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(TARGETS).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONSULTANT])
def test_only_the_manager_saves_targets(client, make_user, store, consultant, role):
    client.force_login(make_user(role, username=f"x-{role}"))

    response = client.post(TARGETS, _grid([consultant], t_store_deals="10"))
    copied = client.post(COPY, {"month": "2026-04"})

    assert (response.status_code, copied.status_code) == (403, 403)
    assert not Target.objects.exists()


@pytest.mark.parametrize("url", [CALENDAR, CLOSED])
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONSULTANT])
def test_only_the_manager_edits_the_calendar(client, make_user, role, url):
    client.force_login(make_user(role, username=f"x-{role}"))

    response = client.post(url, {"day": "2026-05-01", "working_weekdays": ["1"],
                                 "daily_report_at": "18:00"})

    assert response.status_code == 403
    assert not ClosedDay.objects.exists()
    assert not ReportSettings.objects.exists()


def test_consultant_sees_only_their_own_line(client, store, consultant, teammate, manager):
    english(consultant)
    targets_set(store=store, month=APRIL, actor=manager, values={
        (consultant.pk, "walk_ins"): Decimal("30"), (teammate.pk, "walk_ins"): Decimal("60"),
        (None, "walk_ins"): Decimal("90")})
    client.force_login(consultant)

    response = client.get(TARGETS)

    board = response.context["board"]
    assert response.status_code == 200
    assert [row.consultant for row in board.consultants] == [consultant]
    assert board.team == []
    assert response.context["grid"] is None
    html = response.content.decode()
    assert "李强" not in html
    assert 'name="t_' not in html


def test_supervisor_sees_their_teams_lines_only(client, store, supervisor, consultant,
                                               teammate):
    other_team = TeamFactory(store=store, name="销售二组",
                             supervisor=UserFactory(role=Role.SUPERVISOR, store=store))
    stranger = UserFactory(role=Role.CONSULTANT, store=store, team=other_team, name="孙悟空",
                           seniority=Seniority.JUNIOR)
    client.force_login(supervisor)

    response = client.get(TARGETS)

    lines = [row.consultant for row in response.context["board"].consultants]
    assert lines == [teammate, consultant]  # by name: 李强, 王芳
    assert stranger.get_full_name() not in response.content.decode()


def test_the_pace_and_behind_are_shown(client, store, consultant, teammate, manager):
    english(manager)
    targets_set(store=store, month=APRIL, actor=manager, values={
        (consultant.pk, "walk_ins"): Decimal("30"), (teammate.pk, "walk_ins"): Decimal("6")})
    _visits(store, consultant, 9)   # expected 30 × 10/30 = 10.0: behind
    _visits(store, teammate, 2)     # expected 6 × 10/30 = 2.0: on pace
    client.force_login(manager)

    response = client.get(TARGETS)

    board = response.context["board"]
    assert (board.pace.elapsed, board.pace.total) == (10, 30)
    rows = {row.consultant.pk: row for row in board.consultants}
    walk_ins = {pk: next(line for line in row.lines if line.metric == "walk_ins")
                for pk, row in rows.items()}
    assert (walk_ins[consultant.pk].actual, walk_ins[consultant.pk].expected,
            walk_ins[consultant.pk].is_behind) == (9, Decimal("10.0"), True)
    assert (walk_ins[teammate.pk].actual, walk_ins[teammate.pk].expected,
            walk_ins[teammate.pk].is_behind) == (2, Decimal("2.0"), False)
    html = response.content.decode()
    assert "10 of 30 working days done (through 2026-04-10)" in html
    assert html.count("targets-behind-badge") == 2  # the consultant's heading and line


def test_other_stores_consultants_never_show(client, store, manager, outsider, consultant):
    client.force_login(manager)

    response = client.get(TARGETS)

    assert outsider.get_full_name() not in response.content.decode()
    assert f"t_{outsider.pk}_deals" not in response.context["grid"].fields


# --- Saving the grid ----------------------------------------------------------------------
def test_manager_saves_the_grid(client, store, manager, consultant, teammate):
    client.force_login(manager)

    response = client.post(TARGETS, _grid([consultant, teammate], **{
        "t_store_deals": "14", f"t_{consultant.pk}_deals": "8",
        f"t_{teammate.pk}_value_added": "30000.50"}))

    assert response.status_code == 302
    assert response["Location"] == "/reports/targets/?month=2026-04"
    assert sorted((t.consultant_id or 0, t.metric, t.value)
                  for t in Target.objects.filter(month=APRIL)) == [
        (0, "deals", Decimal("14.00")), (consultant.pk, "deals", Decimal("8.00")),
        (teammate.pk, "value_added", Decimal("30000.50"))]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE).count() >= 3


def test_the_saved_grid_shows_its_values(client, store, manager, consultant):
    targets_set(store=store, month=APRIL, actor=manager, values={
        (consultant.pk, "deals"): Decimal("8"), (None, "value_added"): Decimal("1200.5")})
    client.force_login(manager)

    html = client.get(TARGETS).content.decode()

    assert f'name="t_{consultant.pk}_deals" value="8"' in html
    assert 'name="t_store_value_added" value="1200.50"' in html


def test_a_wrong_cell_is_400_with_the_grid_kept(client, store, manager, consultant):
    english(manager)
    client.force_login(manager)

    response = client.post(TARGETS, _grid([consultant], **{
        "t_store_deals": "14", f"t_{consultant.pk}_deals": "2.5",
        f"t_{consultant.pk}_walk_ins": "-3"}))

    assert response.status_code == 400
    grid = response.context["grid"]
    assert grid.errors == {f"t_{consultant.pk}_deals": ["Enter a whole number."],
                           f"t_{consultant.pk}_walk_ins": [
                               "Ensure this value is greater than or equal to 0."]}
    html = response.content.decode()
    assert 'name="t_store_deals" value="14"' in html
    assert not Target.objects.exists()


@pytest.mark.parametrize("month", ["2024-03", "2027-05", "2026-13", "April"])
def test_a_month_outside_the_range_is_400_with_the_grid_kept(client, store, manager,
                                                            consultant, month):
    english(manager)
    client.force_login(manager)

    response = client.post(TARGETS, {**_grid([consultant], t_store_deals="14"),
                                     "month": month})

    assert response.status_code == 400
    assert list(response.context["grid"].errors) == ["month"]
    assert 'name="t_store_deals" value="14"' in response.content.decode()
    assert not Target.objects.exists()


def test_asking_for_a_month_outside_the_range_is_400(client, manager):
    english(manager)
    client.force_login(manager)

    response = client.get(TARGETS, {"month": "2030-01"})

    assert response.status_code == 400
    assert "Enter a date between 2024-04-01 and 2027-04-01." in response.content.decode()


def test_a_past_month_shows_the_whole_month(client, store, manager, consultant):
    client.force_login(manager)

    response = client.get(TARGETS, {"month": "2026-02"})

    board = response.context["board"]
    assert (board.day, board.pace.elapsed, board.pace.total) == (dt.date(2026, 2, 28), 28, 28)


def test_a_future_month_has_no_progress_yet(client, manager):
    english(manager)
    client.force_login(manager)

    response = client.get(TARGETS, {"month": "2026-06"})

    assert response.context["board"] is None
    assert "This month has not begun." in response.content.decode()


def test_copy_last_month(client, store, manager, consultant):
    targets_set(store=store, month=dt.date(2026, 3, 1), actor=manager,
                values={(consultant.pk, "deals"): Decimal("7")})
    client.force_login(manager)

    response = client.post(COPY, {"month": "2026-04"})

    assert response.status_code == 302
    assert Target.objects.get(month=APRIL).value == Decimal("7.00")


def test_copy_into_a_month_outside_the_range_is_400(client, manager):
    client.force_login(manager)

    response = client.post(COPY, {"month": "2020-01"})

    assert response.status_code == 400
    assert not Target.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_targets_query_count_is_constant(client, store, team, manager, count,
                                         django_assert_num_queries):
    consultants = [UserFactory(role=Role.CONSULTANT, store=store, team=team,
                               seniority=Seniority.JUNIOR) for _ in range(count)]
    for consultant in consultants:
        _visits(store, consultant, 1)
        targets_set(store=store, month=APRIL, actor=manager,
                    values={(consultant.pk, "deals"): Decimal("5")})
    client.force_login(manager)

    # session, user, store; the grid's consultants and targets; the board (9)
    with django_assert_num_queries(14):
        response = client.get(TARGETS)

    assert len(response.context["board"].consultants) == count


@pytest.mark.parametrize("count", [1, 3])
def test_consultant_targets_query_count_is_constant(client, store, team, consultant, count,
                                                    django_assert_num_queries):
    for _ in range(count):
        _visits(store, UserFactory(role=Role.CONSULTANT, store=store, team=team,
                                   seniority=Seniority.JUNIOR), 1)
    client.force_login(consultant)

    # session, user, store; the board (9)
    with django_assert_num_queries(12):
        client.get(TARGETS)


# --- The working calendar -----------------------------------------------------------------
def test_calendar_page_shows_the_working_days(client, store, manager):
    english(manager)
    closed_day_add(store=store, day=dt.date(2026, 4, 6), note="清明节", actor=manager)
    client.force_login(manager)

    response = client.get(CALENDAR)

    assert response.context["working_days"] == 29
    html = response.content.decode()
    assert "This month has 29 working days" in html
    assert "清明节" in html


def test_calendar_saves_weekdays_and_time(client, store, manager):
    client.force_login(manager)

    response = client.post(CALENDAR, {"working_weekdays": ["1", "2", "3", "4", "5", "6"],
                                      "daily_report_at": "19:15"})

    assert response.status_code == 302
    settings = ReportSettings.objects.get(store=store)
    assert (settings.working_weekdays, settings.daily_report_at) == ("123456", dt.time(19, 15))


def test_calendar_without_a_weekday_is_400(client, store, manager):
    english(manager)
    client.force_login(manager)

    response = client.post(CALENDAR, {"daily_report_at": "19:15"})

    assert response.status_code == 400
    assert response.context["settings_form"].errors == {
        "working_weekdays": ["Choose at least one working day."]}
    assert not ReportSettings.objects.exists()


def test_closed_day_add_through_the_page(client, store, manager):
    client.force_login(manager)

    response = client.post(CLOSED, {"day": "2026-10-01", "note": "国庆节"})

    assert response.status_code == 302
    assert list(ClosedDay.objects.values_list("store", "day", "note")) == [
        (store.pk, dt.date(2026, 10, 1), "国庆节")]


def test_closed_day_outside_the_range_is_400_with_the_note_kept(client, store, manager):
    english(manager)
    client.force_login(manager)

    response = client.post(CLOSED, {"day": "2030-10-01", "note": "国庆节"})

    assert response.status_code == 400
    assert response.context["closed_form"].errors == {
        "day": ["Enter a date between 2025-01-01 and 2027-12-31."]}
    assert 'value="国庆节"' in response.content.decode()
    assert not ClosedDay.objects.exists()


def test_closed_day_of_another_store_is_404(client, store, other_store, manager):
    other = ClosedDay.objects.create(store=other_store, day=dt.date(2026, 5, 1))
    client.force_login(manager)

    response = client.post(f"{CLOSED}{other.pk}/remove/")

    assert response.status_code == 404
    assert ClosedDay.objects.filter(pk=other.pk).exists()


def test_closed_day_remove_through_the_page(client, store, manager):
    closed = closed_day_add(store=store, day=dt.date(2026, 5, 1), note="", actor=manager)
    client.force_login(manager)

    response = client.post(f"{CLOSED}{closed.pk}/remove/")

    assert response.status_code == 302
    assert not ClosedDay.objects.exists()
