"""The supervisor's board, lost decisions, the lost report and the lead pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dealership.enums import Role, Seniority
from dealership.models import Team
from leads.enums import Channel, EventKind, Grade, LeadStatus, LostReason, LostRequestStatus
from leads.models import Lead, LeadEvent, LeadPolicy, LostRequest
from leads.services import lead_win
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX
from tests.leads.factories import LeadFactory, LostRequestFactory

pytestmark = pytest.mark.django_db



def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def policy(store):
    return LeadPolicy.objects.create(store=store)


@pytest.fixture
def now(monkeypatch, store):
    """The clock stands at the 15th of this month, 12:00 in the store: far from a month's
    edges, so "this month" holds every lead the scenarios create."""
    today = timezone.now().astimezone(store.tzinfo).date()
    frozen = dt.datetime.combine(today.replace(day=15), dt.time(12), tzinfo=store.tzinfo)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


@pytest.fixture
def other_supervisor(store):
    return UserFactory(username="sup2", name="钱主管", role=Role.SUPERVISOR, store=store)


@pytest.fixture
def other_member(store, other_supervisor):
    other_team = Team.objects.create(store=store, name="销售二组", supervisor=other_supervisor)
    return UserFactory(username="con3", name="孙丽", role=Role.CONSULTANT, store=store,
                       seniority=Seniority.JUNIOR, team=other_team)


def _lead(owner, *, store=None, hours_ago: float = 0, due_in_hours: float | None = 24,
          now=None, **kwargs) -> Lead:
    now = now or timezone.now()
    created = now - dt.timedelta(hours=hours_ago)
    return LeadFactory(
        store=store or owner.store, owner=owner, created_at=created,
        follow_up_due_at=None if due_in_hours is None else now + dt.timedelta(
            hours=due_in_hours),
        **kwargs)


# --- Team board -----------------------------------------------------------------------------
@pytest.fixture
def scenario(now, store, policy, consultant, teammate, other_member):
    """consultant: 6 open (A 1, B 3, C 2), 2 overdue, 2 first-contact breaches this month;
    teammate: 1 open B, none overdue or late; other_member: 1 overdue (another team)."""
    web = Channel.WEBSITE
    leads = {
        "a": _lead(consultant, now=now, grade=Grade.B),
        "b": _lead(consultant, now=now, grade=Grade.A, status=LeadStatus.CONTACTED,
                   hours_ago=30, due_in_hours=-3),
        "c": _lead(consultant, now=now, grade=Grade.B, channel=web, hours_ago=3,
                   first_touch_at=now - dt.timedelta(hours=2, minutes=30),
                   status=LeadStatus.CONTACTED, due_in_hours=120),
        "d": _lead(consultant, now=now, grade=Grade.C, channel=web, hours_ago=3,
                   first_touch_at=now - dt.timedelta(hours=1), status=LeadStatus.CONTACTED,
                   due_in_hours=300),
        "e": _lead(consultant, now=now, grade=Grade.C, channel=web, hours_ago=2,
                   due_in_hours=-1),
        "f": _lead(consultant, now=now, grade=Grade.B, channel=Channel.VERTICAL_MEDIA,
                   hours_ago=24 * 20, status=LeadStatus.WON, due_in_hours=None),
        "g": _lead(consultant, now=now, grade=Grade.B, status=LeadStatus.DORMANT,
                   hours_ago=24 * 40, due_in_hours=-48),
        "h": _lead(teammate, now=now, grade=Grade.B, channel=web, hours_ago=0.5,
                   due_in_hours=0.5),
        "i": _lead(teammate, now=now, grade=Grade.A, status=LeadStatus.LOST,
                   lost_reason=LostReason.PRICE, due_in_hours=-5),
        "x": _lead(other_member, now=now, grade=Grade.A, status=LeadStatus.CONTACTED,
                   due_in_hours=-2),
    }
    return leads


def _row(members, user) -> dict:
    member = next(m for m in members if m.pk == user.pk)
    return {key: getattr(member, key) for key in (
        "open_count", "overdue_count", "sla_breaches", "grade_a", "grade_b", "grade_c")}


def test_board_supervisor_sees_exact_figures_of_their_team(client, scenario, supervisor,
                                                            consultant, teammate):
    client.force_login(supervisor)

    response = client.get("/leads/board/")

    assert response.status_code == 200
    members = response.context["members"]
    assert {m.pk for m in members} == {consultant.pk, teammate.pk}
    assert _row(members, consultant) == {"open_count": 6, "overdue_count": 2,
                                         "sla_breaches": 2, "grade_a": 1, "grade_b": 3,
                                         "grade_c": 2}
    assert _row(members, teammate) == {"open_count": 1, "overdue_count": 0, "sla_breaches": 0,
                                       "grade_a": 0, "grade_b": 1, "grade_c": 0}
    assert response.context["totals"] == {"open_count": 7, "overdue_count": 2,
                                          "sla_breaches": 2, "grade_a": 1, "grade_b": 4,
                                          "grade_c": 2}
    assert [lead.pk for lead in response.context["overdue"]] == [scenario["b"].pk,
                                                                 scenario["e"].pk]


def test_board_first_touch_exactly_on_the_deadline_is_no_breach(client, now, store, policy,
                                                                 supervisor, consultant):
    _lead(consultant, now=now, channel=Channel.WEBSITE, hours_ago=2,
          first_touch_at=now - dt.timedelta(hours=1))
    client.force_login(supervisor)

    response = client.get("/leads/board/")

    assert _row(response.context["members"], consultant)["sla_breaches"] == 0


def test_board_uses_the_store_policy_minutes(client, now, store, supervisor, consultant):
    LeadPolicy.objects.create(store=store, first_contact_minutes=180,
                              remind_owner_after_minutes=60,
                              alert_supervisor_after_minutes=120, reassign_after_minutes=240)
    _lead(consultant, now=now, channel=Channel.WEBSITE, hours_ago=2, due_in_hours=1)
    client.force_login(supervisor)

    response = client.get("/leads/board/")

    assert _row(response.context["members"], consultant)["sla_breaches"] == 0


def test_board_links_each_consultant_to_the_lead_list_and_each_lead_to_its_page(
        client, scenario, supervisor, consultant):
    client.force_login(supervisor)

    html = _text(client.get("/leads/board/"))

    list_url = reverse("leads:list")
    detail_url = reverse("leads:detail", args=[scenario["b"].pk])
    assert f'href="{list_url}?owner={consultant.pk}"' in html
    assert f'href="{detail_url}"' in html


def test_board_manager_sees_the_whole_store(client, scenario, manager, consultant, teammate,
                                            other_member):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)

    response = client.get("/leads/board/")

    assert response.status_code == 200
    assert {m.pk for m in response.context["members"]} == {consultant.pk, teammate.pk,
                                                           other_member.pk}
    assert response.context["totals"]["overdue_count"] == 3
    assert "<h1>Sales board</h1>" in _text(response)  # one name, as in the menu


def test_board_other_teams_leads_and_requests_stay_off_a_supervisors_board(
        client, scenario, supervisor, other_member):
    other_request = LostRequestFactory(lead=scenario["x"])
    client.force_login(supervisor)

    response = client.get("/leads/board/")

    assert scenario["x"] not in response.context["overdue"]
    assert other_request not in response.context["lost_requests"]
    assert other_member.pk not in [m.pk for m in response.context["members"]]


def test_board_empty_states(client, policy, supervisor):
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)

    html = _text(client.get("/leads/board/"))

    assert "No consultant is in a team you lead." in html
    assert "Nothing is overdue." in html
    assert "No lost request is waiting." in html


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MARKETING, Role.RECEPTIONIST])
def test_board_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get("/leads/board/")

    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_board_query_count_is_constant(client, now, store, policy, supervisor, team, count,
                                       django_assert_num_queries):
    for index in range(count):
        member = UserFactory(role=Role.CONSULTANT, store=store, team=team,
                             seniority=Seniority.JUNIOR)
        overdue = _lead(member, now=now, due_in_hours=-1 - index)
        LostRequestFactory(lead=overdue)
    client.force_login(supervisor)

    with django_assert_num_queries(7):
        response = client.get("/leads/board/")

    assert len(response.context["members"]) == count
    assert len(response.context["overdue"]) == count
    assert len(response.context["lost_requests"]) == count


# --- Lost decisions -----------------------------------------------------------------------
@pytest.fixture
def lost_request(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)
    return LostRequestFactory(lead=lead, reason=LostReason.PRICE, note="嫌贵")


def _decide(client, lost_request, decision: str, note: str = "", **headers):
    return client.post(f"/leads/lost-requests/{lost_request.pk}/decide/",
                       {"decision": decision, "note": note}, **headers)


def test_decide_approve_closes_the_lead_as_lost(client, policy, supervisor, lost_request):
    client.force_login(supervisor)

    response = _decide(client, lost_request, "approve", "同意")

    assert response.status_code == 302
    assert response["Location"] == "/leads/board/"
    lost_request.refresh_from_db()
    lead = lost_request.lead
    lead.refresh_from_db()
    assert (lost_request.status, lost_request.decided_by, lost_request.decision_note) == (
        LostRequestStatus.APPROVED, supervisor, "同意")
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, LostReason.PRICE)
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.LOST_APPROVED,
                                    actor=supervisor).count() == 1


def test_decide_return_with_a_comment_keeps_the_lead_open(client, policy, supervisor,
                                                          lost_request):
    client.force_login(supervisor)

    response = _decide(client, lost_request, "return", "再跟进一次", **HTMX)

    assert response.status_code == 200
    lost_request.refresh_from_db()
    assert lost_request.status == LostRequestStatus.RETURNED
    assert lost_request.lead.status == LeadStatus.CONTACTED
    html = _text(response)
    assert html.lstrip().startswith(f'<tr id="lost-request-{lost_request.pk}"')
    assert "再跟进一次" in html
    assert 'data-testid="decision"' in html
    assert "<html" not in html


def test_decide_approve_htmx_returns_the_updated_row(client, policy, manager, lost_request):
    client.force_login(manager)

    response = _decide(client, lost_request, "approve", **HTMX)

    assert response.status_code == 200
    html = _text(response)
    assert f'id="lost-request-{lost_request.pk}"' in html
    assert "hx-post" not in html  # decided: no buttons any more
    assert LostRequest.objects.get(pk=lost_request.pk).status == LostRequestStatus.APPROVED


def test_decide_return_without_a_comment_is_refused(client, policy, supervisor, lost_request):
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)

    response = _decide(client, lost_request, "return", "  ")

    assert response.status_code == 400
    assert "Tell the consultant why the request goes back." in _text(response)
    lost_request.refresh_from_db()
    assert lost_request.status == LostRequestStatus.PENDING


def test_decide_unknown_decision_is_refused(client, policy, supervisor, lost_request):
    client.force_login(supervisor)

    response = _decide(client, lost_request, "maybe", **HTMX)

    assert response.status_code == 400
    assert LostRequest.objects.get(pk=lost_request.pk).status == LostRequestStatus.PENDING


def test_decide_already_decided_request_answers_409_with_who_decided(
        client, policy, supervisor, manager, lost_request):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(supervisor)
    _decide(client, lost_request, "approve")
    client.force_login(manager)

    response = _decide(client, lost_request, "return", "不同意")

    assert response.status_code == 409
    assert "赵主管 has already decided this request." in _text(response)
    lost_request.refresh_from_db()
    assert (lost_request.status, lost_request.decided_by) == (LostRequestStatus.APPROVED,
                                                              supervisor)


def test_decide_already_decided_htmx_row_shows_the_decision(client, policy, supervisor,
                                                            manager, lost_request):
    client.force_login(manager)
    _decide(client, lost_request, "approve")
    client.force_login(supervisor)

    response = _decide(client, lost_request, "approve", **HTMX)

    assert response.status_code == 409
    html = _text(response)
    assert 'role="alert"' in html
    assert 'data-testid="decision"' in html


def test_decide_a_request_closed_by_a_win_says_so_without_a_decider(
        client, policy, manager, lost_request):
    manager.language = "en"
    manager.save(update_fields=["language"])
    lead_win(lead=lost_request.lead, actor=manager)
    client.force_login(manager)

    response = _decide(client, lost_request, "approve", **HTMX)

    assert response.status_code == 409
    html = _text(response)
    assert "This request has already been decided." in html
    lost_request.refresh_from_db()
    assert f'<span class="muted">{lost_request.decision_note}</span>' in html
    assert "None" not in html


def test_decide_consultant_is_forbidden(client, policy, teammate, lost_request):
    client.force_login(teammate)

    response = _decide(client, lost_request, "approve")

    assert response.status_code == 403
    assert LostRequest.objects.get(pk=lost_request.pk).status == LostRequestStatus.PENDING


def test_decide_own_request_is_forbidden(client, policy, store, supervisor, consultant):
    lead = LeadFactory(store=store, owner=consultant)
    own = LostRequestFactory(lead=lead, requested_by=supervisor)
    client.force_login(supervisor)

    response = _decide(client, own, "approve")

    assert response.status_code == 403
    assert LostRequest.objects.get(pk=own.pk).status == LostRequestStatus.PENDING


def test_decide_own_request_shows_no_buttons_on_the_board(client, policy, store, supervisor,
                                                          consultant):
    own = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant),
                             requested_by=supervisor)
    client.force_login(supervisor)

    html = _text(client.get("/leads/board/"))

    assert f'id="lost-request-{own.pk}"' in html
    assert f"/leads/lost-requests/{own.pk}/decide/" not in html


def test_decide_other_team_request_is_not_found(client, policy, other_supervisor,
                                                lost_request):
    client.force_login(other_supervisor)

    response = _decide(client, lost_request, "approve")

    assert response.status_code == 404


def test_decide_other_store_request_is_not_found(client, other_store, lost_request):
    client.force_login(UserFactory(role=Role.MANAGER, store=other_store, username="mgr2"))

    response = _decide(client, lost_request, "approve")

    assert response.status_code == 404


def test_decide_get_is_not_allowed(client, policy, supervisor, lost_request):
    client.force_login(supervisor)

    response = client.get(f"/leads/lost-requests/{lost_request.pk}/decide/")

    assert response.status_code == 405


# --- Lost report --------------------------------------------------------------------------
@pytest.fixture
def closed_leads(now, store, consultant, teammate, other_member):
    def closed(owner, status, days_ago, channel=Channel.WALK_IN, reason=""):
        return LeadFactory(store=store, owner=owner, status=status, channel=channel,
                           lost_reason=reason, closed_at=now - dt.timedelta(days=days_ago),
                           created_at=now - dt.timedelta(days=days_ago + 5))

    closed(consultant, LeadStatus.LOST, 1, reason=LostReason.PRICE)
    closed(consultant, LeadStatus.LOST, 2, reason=LostReason.PRICE)
    closed(consultant, LeadStatus.WON, 1)
    closed(teammate, LeadStatus.LOST, 3, channel=Channel.WEBSITE, reason=LostReason.UNREACHABLE)
    closed(consultant, LeadStatus.LOST, 20, reason=LostReason.BUDGET)  # last month
    closed(other_member, LeadStatus.LOST, 1, reason=LostReason.OTHER)  # another team


def _by_code(rows) -> dict:
    return {row["code"]: row for row in rows}


def test_lost_report_this_month_by_reason_consultant_and_channel(
        client, closed_leads, supervisor, consultant, teammate):
    client.force_login(supervisor)

    response = client.get("/leads/lost-report/")

    assert response.status_code == 200
    report = response.context["report"]
    assert report["total"] == 3
    reasons = _by_code(report["reasons"])
    assert (reasons["price"]["lost"], str(reasons["price"]["share"])) == (2, "66.7")
    assert (reasons["unreachable"]["lost"], str(reasons["unreachable"]["share"])) == (1, "33.3")
    assert reasons["other"]["lost"] == 0
    assert [(r["owner_id"], r["lost"], r["closed"], str(r["rate"]))
            for r in report["consultants"]] == [(consultant.pk, 2, 3, "66.7"),
                                                (teammate.pk, 1, 1, "100.0")]
    channels = _by_code(report["channels"])
    assert (channels["walk_in"]["lost"], channels["walk_in"]["closed"]) == (2, 3)
    assert (channels["website"]["lost"], str(channels["website"]["rate"])) == (1, "100.0")
    assert channels["phone"]["rate"] is None


def test_lost_report_zero_denominator_shows_a_dash(client, now, policy, supervisor):
    client.force_login(supervisor)

    html = _text(client.get("/leads/lost-report/"))

    row_start = html.index('data-testid="channel-phone"')
    row = html[row_start:html.index("</tr>", row_start)]
    assert row.count("—") == 1
    assert "%" not in row


def test_lost_report_custom_period_in_store_days(client, closed_leads, now, manager):
    first = (now - dt.timedelta(days=25)).date()
    last = (now - dt.timedelta(days=10)).date()
    client.force_login(manager)

    response = client.get("/leads/lost-report/", {"date_from": first.isoformat(),
                                                  "date_to": last.isoformat()})

    assert response.status_code == 200
    assert response.context["report"]["total"] == 1
    assert _by_code(response.context["report"]["reasons"])["budget"]["lost"] == 1


def test_lost_report_day_boundaries_follow_the_store_time_zone(client, now, store, manager,
                                                               consultant):
    # 23:30 in Shanghai on the 10th is 15:30 UTC: it belongs to the 10th, not the 11th.
    tenth = now.replace(day=10, hour=23, minute=30)
    LeadFactory(store=store, owner=consultant, status=LeadStatus.LOST,
                lost_reason=LostReason.PRICE, closed_at=tenth, created_at=tenth)
    client.force_login(manager)

    on_the_tenth = client.get("/leads/lost-report/", {"date_from": tenth.date().isoformat(),
                                                      "date_to": tenth.date().isoformat()})
    on_the_eleventh = client.get("/leads/lost-report/", {
        "date_from": (tenth.date() + dt.timedelta(days=1)).isoformat(),
        "date_to": (tenth.date() + dt.timedelta(days=1)).isoformat()})

    assert on_the_tenth.context["report"]["total"] == 1
    assert on_the_eleventh.context["report"]["total"] == 0


@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "2026-03-20", "date_to": "2026-03-01"},
     "The end date comes after the start date."),
    ({"date_from": "2026-13-45", "date_to": ""}, "Enter a valid date."),
    ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "Choose a period of at most a year."),
    # The ends of the calendar: a store's day there is no datetime the database can take.
    ({"date_from": "9999-06-01", "date_to": "9999-12-31"},
     "Ensure this value is less than or equal to 2099-12-31."),
    ({"date_from": "0001-01-01", "date_to": "0001-02-01"},
     "Ensure this value is greater than or equal to 2000-01-01."),
])
def test_lost_report_bad_period_is_400_with_input_kept(client, manager, params, message):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)

    response = client.get("/leads/lost-report/", params)

    assert response.status_code == 400
    html = _text(response)
    assert message in html
    assert f'value="{params["date_from"]}"' in html


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MARKETING])
def test_lost_report_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/leads/lost-report/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_lost_report_query_count_is_constant(client, now, store, supervisor, team, count,
                                             django_assert_num_queries):
    for _index in range(count):
        member = UserFactory(role=Role.CONSULTANT, store=store, team=team,
                             seniority=Seniority.JUNIOR)
        LeadFactory(store=store, owner=member, status=LeadStatus.LOST,
                    lost_reason=LostReason.PRICE, closed_at=now - dt.timedelta(hours=1))
    client.force_login(supervisor)

    with django_assert_num_queries(6):
        response = client.get("/leads/lost-report/")

    assert len(response.context["report"]["consultants"]) == count


# --- Pool ---------------------------------------------------------------------------------
def _pooled(store, *, days: int = 3, status: str = LeadStatus.DORMANT, **kwargs) -> Lead:
    return LeadFactory(store=store, owner=None, status=status,
                       pooled_at=timezone.now() - dt.timedelta(days=days),
                       customer=CustomerFactory(store=store, owner=None), **kwargs)


def _assert_still_pooled(lead: Lead) -> None:
    """A refused claim or assignment leaves the lead in the pool, its timeline untouched."""
    kept = Lead.objects.select_related("customer").get(pk=lead.pk)
    assert (kept.owner, kept.customer.owner, kept.pooled_at) == (None, None, lead.pooled_at)
    assert LeadEvent.objects.filter(lead=lead).count() == 0


def test_pool_consultant_sees_ownerless_open_leads_masked(client, store, other_store,
                                                          consultant, teammate):
    older, newer = _pooled(store, days=9), _pooled(store, days=2)
    LeadFactory(store=store, owner=teammate)  # owned: not in the pool
    _pooled(store, status=LeadStatus.LOST, lost_reason=LostReason.PRICE)  # closed
    _pooled(other_store)
    client.force_login(consultant)

    response = client.get("/leads/pool/")

    assert response.status_code == 200
    assert [lead.pk for lead in response.context["page"]] == [older.pk, newer.pk]
    html = _text(response)
    national = older.customer.phone.removeprefix("+86")
    assert older.customer.phone_masked in html
    assert national not in html
    assert older.customer.name not in html
    assert f"/leads/pool/{older.pk}/claim/" in html


def test_pool_claim_takes_the_lead_and_its_customer(client, policy, store, consultant):
    lead = _pooled(store)
    client.force_login(consultant)

    response = client.post(f"/leads/pool/{lead.pk}/claim/")

    assert response.status_code == 302
    assert response["Location"] == "/leads/pool/"
    lead.refresh_from_db()
    lead.customer.refresh_from_db()
    assert (lead.owner, lead.pooled_at, lead.customer.owner) == (consultant, None, consultant)
    assert list(LeadEvent.objects.filter(lead=lead).values_list("kind", "actor")) == [
        (EventKind.CLAIMED, consultant.pk)]


def test_pool_second_claim_gets_a_clear_message(client, policy, store, consultant, teammate):
    teammate.language = "en"
    teammate.save(update_fields=["language"])
    lead = _pooled(store)
    client.force_login(consultant)
    client.post(f"/leads/pool/{lead.pk}/claim/", follow=True)
    client.force_login(teammate)

    plain = client.post(f"/leads/pool/{lead.pk}/claim/")
    htmx = client.post(f"/leads/pool/{lead.pk}/claim/", **HTMX)

    assert plain.status_code == 302
    assert _messages(plain) == ["Someone else has already taken this lead."]
    assert htmx.status_code == 409
    assert "Someone else has already taken this lead." in _text(htmx)
    lead.refresh_from_db()
    assert lead.owner == consultant


def test_pool_claim_htmx_returns_the_row(client, policy, store, consultant):
    lead = _pooled(store)
    client.force_login(consultant)

    response = client.post(f"/leads/pool/{lead.pk}/claim/", **HTMX)

    assert response.status_code == 200
    html = _text(response)
    assert html.lstrip().startswith(f'<tr id="pool-lead-{lead.pk}"')
    assert 'role="status"' in html
    assert "/claim/" not in html


def test_pool_claim_other_store_lead_is_not_found(client, other_store, consultant):
    lead = _pooled(other_store)
    client.force_login(consultant)

    response = client.post(f"/leads/pool/{lead.pk}/claim/")

    assert response.status_code == 404
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_pool_claim_by_a_manager_is_forbidden(client, store, manager):
    lead = _pooled(store)
    client.force_login(manager)

    response = client.post(f"/leads/pool/{lead.pk}/claim/")

    assert response.status_code == 403
    _assert_still_pooled(lead)


def test_pool_manager_assigns_a_lead(client, policy, store, manager, teammate):
    lead = _pooled(store)
    client.force_login(manager)

    response = client.post(f"/leads/pool/{lead.pk}/assign/", {"consultant": teammate.pk})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.owner, lead.pooled_at) == (teammate, None)
    event = LeadEvent.objects.get(lead=lead)
    assert (event.kind, event.actor, event.data["to_owner"]) == (EventKind.ASSIGNED, manager,
                                                                 teammate.pk)


def test_pool_assign_to_a_consultant_of_another_store_is_refused(client, store, manager,
                                                                 outsider):
    lead = _pooled(store)
    client.force_login(manager)

    response = client.post(f"/leads/pool/{lead.pk}/assign/", {"consultant": outsider.pk},
                           **HTMX)

    assert response.status_code == 400
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_pool_assign_a_lead_already_taken_is_409(client, policy, store, manager, consultant,
                                                 teammate):
    lead = _pooled(store)
    client.force_login(consultant)
    client.post(f"/leads/pool/{lead.pk}/claim/")
    client.force_login(manager)

    response = client.post(f"/leads/pool/{lead.pk}/assign/", {"consultant": teammate.pk},
                           **HTMX)

    assert response.status_code == 409
    assert Lead.objects.get(pk=lead.pk).owner == consultant


def test_pool_assign_by_a_consultant_is_forbidden(client, store, consultant, teammate):
    lead = _pooled(store)
    client.force_login(consultant)

    response = client.post(f"/leads/pool/{lead.pk}/assign/", {"consultant": teammate.pk})

    assert response.status_code == 403
    _assert_still_pooled(lead)


@pytest.mark.parametrize("role", [Role.MARKETING, Role.RECEPTIONIST])
def test_pool_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/leads/pool/").status_code == 403


def test_pool_empty_state(client, consultant):
    consultant.language = "en"
    consultant.save(update_fields=["language"])
    client.force_login(consultant)

    assert "The pool is empty." in _text(client.get("/leads/pool/"))


@pytest.mark.parametrize("count", [1, 3])
def test_pool_query_count_is_constant_for_a_consultant(client, store, consultant, count,
                                                       django_assert_num_queries):
    for _index in range(count):
        _pooled(store)
    client.force_login(consultant)

    with django_assert_num_queries(5):
        response = client.get("/leads/pool/")

    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_pool_query_count_is_constant_for_a_manager(client, store, manager, team, count,
                                                    django_assert_num_queries):
    for _index in range(count):
        _pooled(store)
        UserFactory(role=Role.CONSULTANT, store=store, team=team, seniority=Seniority.JUNIOR)
    client.force_login(manager)

    with django_assert_num_queries(6):
        response = client.get("/leads/pool/")

    assert len(response.context["page"]) == count
    assert len(response.context["consultants"]) == count


@pytest.mark.django_db(transaction=True)
def test_pool_two_consultants_claiming_at_once_one_wins(store, consultant, teammate):
    require_postgres()
    lead = _pooled(store)

    def claimer(user):
        client = Client()
        client.force_login(user)
        return lambda: client.post(f"/leads/pool/{lead.pk}/claim/", **HTMX).status_code

    users = (consultant, teammate)
    results = race(*(claimer(user) for user in users), timeout=30)
    statuses = {user.username: result for user, result in zip(users, results, strict=True)}

    assert sorted(statuses.values()) == [200, 409]
    lead.refresh_from_db()
    winner = next(name for name, status in statuses.items() if status == 200)
    assert lead.owner.username == winner
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CLAIMED).count() == 1
