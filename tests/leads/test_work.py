"""Working a lead: touches, funnel steps, win, lost approval, claiming from the pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import Role
from leads.enums import (
    EventKind,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    TaskKind,
    TouchKind,
    TouchOutcome,
)
from leads.models import LeadEvent, LostRequest, Notification, Task, Touch
from leads.services import (
    lead_approve_lost,
    lead_claim,
    lead_log_touch,
    lead_request_lost,
    lead_return_lost,
    lead_win,
)
from tests.leads.factories import LeadFactory, LostRequestFactory

pytestmark = pytest.mark.usefixtures("in_english")  # refusals are matched by their msgids

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def touch(lead, actor, **kwargs):
    return lead_log_touch(lead=lead, actor=actor, kind=kwargs.pop("kind", TouchKind.CALL),
                          outcome=kwargs.pop("outcome", TouchOutcome.REACHED),
                          note=kwargs.pop("note", "客户确认周六来店"), **kwargs)


def status_events(lead) -> list[tuple[str, str]]:
    return [(e.data["from"], e.data["to"])
            for e in lead.events.filter(kind=EventKind.STATUS).order_by("id")]


# --- Touches ------------------------------------------------------------------------------
def test_touch_contacts_a_new_lead_and_sets_cadence_due(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.B)
    before = timezone.now()

    logged = touch(lead, consultant)

    lead.refresh_from_db()
    assert Touch.objects.get() == logged
    assert (logged.by, logged.kind, logged.outcome) == (consultant, "call", "reached")
    assert lead.status == LeadStatus.CONTACTED
    assert lead.first_touch_at == lead.last_touch_at == logged.created_at
    assert before <= lead.last_touch_at <= timezone.now()
    assert lead.follow_up_due_at == logged.created_at + dt.timedelta(days=7)
    assert status_events(lead) == [("new", "contacted")]
    assert lead.events.get(kind=EventKind.TOUCH).data == {
        "touch": logged.pk, "how": "call", "outcome": "reached"}


@pytest.mark.parametrize(("grade", "days"), [(Grade.A, 1), (Grade.B, 7), (Grade.C, 15)])
def test_touch_due_date_follows_grade_cadence(store, consultant, grade, days):
    lead = LeadFactory(store=store, owner=consultant, grade=grade,
                       status=LeadStatus.CONTACTED)

    logged = touch(lead, consultant)

    lead.refresh_from_db()
    assert lead.follow_up_due_at == logged.created_at + dt.timedelta(days=days)


def test_touch_due_date_is_agreed_date_when_sooner(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.C)
    agreed = timezone.localdate() + dt.timedelta(days=2)

    touch(lead, consultant, next_follow_up_on=agreed)

    lead.refresh_from_db()
    assert lead.next_follow_up_on == agreed
    assert lead.follow_up_due_at == dt.datetime.combine(agreed, dt.time(23, 59),
                                                        tzinfo=SHANGHAI)


def test_touch_due_date_keeps_cadence_when_agreed_date_is_later(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.A)

    logged = touch(lead, consultant,
                   next_follow_up_on=timezone.localdate() + dt.timedelta(days=20))

    lead.refresh_from_db()
    assert lead.follow_up_due_at == logged.created_at + dt.timedelta(days=1)


def test_touch_wakes_a_dormant_lead_and_closes_its_reactivation_task(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT,
                       dormant_at=timezone.now() - dt.timedelta(days=3))
    task = Task.objects.create(store=store, lead=lead, assignee=consultant,
                               kind=TaskKind.REACTIVATE, due_on=timezone.localdate())

    touch(lead, consultant, kind=TouchKind.WECHAT)

    lead.refresh_from_db()
    task.refresh_from_db()
    assert (lead.status, lead.dormant_at) == (LeadStatus.CONTACTED, None)
    assert status_events(lead) == [("dormant", "contacted")]
    assert task.done_at is not None


def test_touch_keeps_a_later_funnel_status(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.TEST_DRIVEN)

    touch(lead, consultant)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.TEST_DRIVEN
    assert status_events(lead) == []


def test_touch_on_a_closed_lead_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                       closed_at=timezone.now())

    with pytest.raises(ValidationError, match="This lead is closed; it takes no more follow-ups"):
        touch(lead, consultant)

    assert Touch.objects.count() == 0
    assert LeadEvent.objects.count() == 0


def test_touch_by_a_teammate_is_refused(store, consultant, teammate):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(PermissionDenied):
        touch(lead, teammate)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert Touch.objects.count() == 0


def test_touch_with_a_past_follow_up_date_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError) as error:
        touch(lead, consultant, next_follow_up_on=timezone.localdate() - dt.timedelta(days=1))

    assert list(error.value.message_dict) == ["next_follow_up_on"]
    assert Touch.objects.count() == 0


def test_touch_follow_up_date_is_checked_against_the_store_day(monkeypatch, store, consultant):
    # 2026-03-10 20:00 UTC: already the 11th in Shanghai (the server's zone), still the
    # 10th in a store in Los Angeles. The 10th is that store's today, so it is allowed.
    store.timezone = "America/Los_Angeles"
    store.save(update_fields=["timezone"])
    frozen = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    lead = LeadFactory(store=store, owner=consultant)

    logged = touch(lead, consultant, next_follow_up_on=dt.date(2026, 3, 10))

    lead.refresh_from_db()
    assert logged.next_follow_up_on == lead.next_follow_up_on == dt.date(2026, 3, 10)
    with pytest.raises(ValidationError) as error:
        touch(lead, consultant, next_follow_up_on=dt.date(2026, 3, 9))
    assert list(error.value.message_dict) == ["next_follow_up_on"]


def test_touch_with_an_unknown_outcome_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError,
                       match="Choose how you reached the customer and the outcome"):
        touch(lead, consultant, outcome="maybe")

    assert Touch.objects.count() == 0


def test_touch_by_the_supervisor_of_the_team_is_allowed(store, consultant, supervisor):
    lead = LeadFactory(store=store, owner=consultant)

    logged = touch(lead, supervisor)

    assert logged.by == supervisor


# --- Won (the other funnel steps: test_funnel.py) -----------------------------------------
def test_win_closes_the_lead(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEGOTIATING)

    lead_win(lead=lead, actor=consultant)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON
    assert lead.closed_at is not None
    assert status_events(lead) == [("negotiating", "won")]


def test_win_a_closed_lead_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                       closed_at=timezone.now())

    with pytest.raises(ValidationError, match="This lead is already closed"):
        lead_win(lead=lead, actor=consultant)

    assert LeadEvent.objects.count() == 0


# --- Lost (战败) ---------------------------------------------------------------------------
def test_request_lost_keeps_lead_open_and_notifies_supervisor(store, consultant, supervisor):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    request = lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE,
                                note="比竞品贵两万")

    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert (request.status, request.requested_by, request.reason) == (
        LostRequestStatus.PENDING, consultant, LostReason.PRICE)
    entry = lead.events.get()
    assert (entry.kind, entry.note, entry.data) == (
        EventKind.LOST_REQUESTED, "比竞品贵两万", {"reason": "price"})
    assert list(Notification.objects.values_list("user", "kind")) == [
        (supervisor.pk, EventKind.LOST_REQUESTED)]


def test_request_lost_with_other_needs_a_note(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError) as error:
        lead_request_lost(lead=lead, actor=consultant, reason=LostReason.OTHER, note=" ")

    assert list(error.value.message_dict) == ["note"]
    assert LostRequest.objects.count() == 0


def test_request_lost_with_unknown_reason_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError) as error:
        lead_request_lost(lead=lead, actor=consultant, reason="bored")

    assert error.value.message_dict == {"reason": ["Choose a reason from the list."]}

    assert LostRequest.objects.count() == 0


def test_second_pending_lost_request_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)
    lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE)

    with pytest.raises(ValidationError,
                       match="A lost request for this lead is already waiting for approval"):
        lead_request_lost(lead=lead, actor=consultant, reason=LostReason.BUDGET)

    assert list(LostRequest.objects.values_list("reason", flat=True)) == ["price"]
    assert lead.events.count() == 1


def test_request_lost_by_a_teammate_is_refused(store, consultant, teammate):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(PermissionDenied):
        lead_request_lost(lead=lead, actor=teammate, reason=LostReason.PRICE)


def test_request_lost_on_a_closed_lead_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                       closed_at=timezone.now())

    with pytest.raises(ValidationError, match="This lead is already closed"):
        lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE)


def test_approve_lost_closes_the_lead(store, consultant, supervisor):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant),
                                 reason=LostReason.BOUGHT_COMPETITOR)

    lead_approve_lost(request=request, actor=supervisor, note="确认已提别克")

    request.refresh_from_db()
    lead = request.lead
    lead.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        LostRequestStatus.APPROVED, supervisor, "确认已提别克")
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "bought_competitor")
    assert lead.closed_at == request.decided_at
    assert [e.kind for e in lead.events.order_by("id")] == [EventKind.STATUS,
                                                             EventKind.LOST_APPROVED]
    assert list(Notification.objects.values_list("user", "kind")) == [
        (consultant.pk, EventKind.LOST_APPROVED)]


def test_return_lost_keeps_the_lead_open(store, consultant, manager):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)
    request = LostRequestFactory(lead=lead)

    lead_return_lost(request=request, actor=manager, note="再约一次试驾")

    request.refresh_from_db()
    lead.refresh_from_db()
    assert (request.status, request.decided_by) == (LostRequestStatus.RETURNED, manager)
    assert (lead.status, lead.lost_reason, lead.closed_at) == (LeadStatus.CONTACTED, "", None)
    entry = lead.events.get()
    assert (entry.kind, entry.note) == (EventKind.LOST_RETURNED, "再约一次试驾")
    assert list(Notification.objects.values_list("user", "kind")) == [
        (consultant.pk, EventKind.LOST_RETURNED)]


def test_return_lost_without_a_note_is_refused(store, consultant, supervisor):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))

    with pytest.raises(ValidationError) as error:
        lead_return_lost(request=request, actor=supervisor, note="  ")

    assert list(error.value.message_dict) == ["note"]
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (LostRequestStatus.PENDING, None)
    assert LeadEvent.objects.count() == 0


def test_decide_own_lost_request_is_refused(store, supervisor, team):
    lead = LeadFactory(store=store, owner=supervisor)
    request = lead_request_lost(lead=lead, actor=supervisor, reason=LostReason.BUDGET)

    with pytest.raises(PermissionDenied):
        lead_approve_lost(request=request, actor=supervisor)

    request.refresh_from_db()
    assert request.status == LostRequestStatus.PENDING


def test_decide_lost_by_a_consultant_is_refused(store, consultant, teammate):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))

    for actor in (consultant, teammate):
        with pytest.raises(PermissionDenied):
            lead_approve_lost(request=request, actor=actor)


def test_decide_lost_by_another_teams_supervisor_is_refused(store, consultant, make_user):
    other = make_user(Role.SUPERVISOR, username="sup2")
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))

    with pytest.raises(PermissionDenied):
        lead_approve_lost(request=request, actor=other)


def test_deciding_twice_is_refused(store, consultant, supervisor, manager):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))
    lead_approve_lost(request=request, actor=supervisor)

    with pytest.raises(ValidationError, match="This request has already been decided"):
        lead_return_lost(request=request, actor=manager, note="不同意")
    with pytest.raises(ValidationError, match="This request has already been decided"):
        lead_approve_lost(request=request, actor=manager)

    request.refresh_from_db()
    assert (request.status, request.decided_by) == (LostRequestStatus.APPROVED, supervisor)
    assert LeadEvent.objects.filter(kind=EventKind.LOST_APPROVED).count() == 1


def test_approve_lost_on_a_lead_won_meanwhile_is_refused(store, consultant, supervisor):
    """The customer signed after the request: a won lead must not become lost."""
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEGOTIATING)
    request = lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE)
    lead_win(lead=lead, actor=consultant)

    with pytest.raises(ValidationError, match="This request has already been decided"):
        lead_approve_lost(request=request, actor=supervisor)

    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.WON, "")


def test_win_closes_a_pending_lost_request(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEGOTIATING)
    request = lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE)

    lead_win(lead=lead, actor=consultant)

    request.refresh_from_db()
    assert request.status == LostRequestStatus.RETURNED
    assert request.decided_at is not None


def test_after_a_return_a_new_lost_request_may_be_made(store, consultant, supervisor):
    lead = LeadFactory(store=store, owner=consultant)
    first = lead_request_lost(lead=lead, actor=consultant, reason=LostReason.PRICE)
    lead_return_lost(request=first, actor=supervisor, note="再跟一周")

    second = lead_request_lost(lead=lead, actor=consultant, reason=LostReason.UNREACHABLE)

    assert second.status == LostRequestStatus.PENDING
    assert LostRequest.objects.count() == 2


# --- Pool (公海) ---------------------------------------------------------------------------
def test_claim_from_pool_takes_lead_and_customer(store, teammate):
    lead = LeadFactory(store=store, owner=None, pooled_at=timezone.now(),
                       status=LeadStatus.DORMANT, grade=Grade.A)

    lead_claim(lead=lead, actor=teammate)

    lead.refresh_from_db()
    lead.customer.refresh_from_db()
    assert (lead.owner, lead.pooled_at, lead.customer.owner) == (teammate, None, teammate)
    assert lead.follow_up_due_at == lead.assigned_at + dt.timedelta(days=1)
    entry = lead.events.get()
    assert (entry.kind, entry.actor, entry.data) == (EventKind.CLAIMED, teammate,
                                                     {"to_owner": teammate.pk})


def test_second_claim_is_refused(store, consultant, teammate):
    lead = LeadFactory(store=store, owner=None, pooled_at=timezone.now())
    lead_claim(lead=lead, actor=consultant)

    with pytest.raises(ValidationError, match="Someone else has already taken this lead"):
        lead_claim(lead=lead, actor=teammate)

    lead.refresh_from_db()
    assert lead.owner == consultant
    assert lead.events.count() == 1


def test_claim_by_another_store_or_a_non_consultant_is_refused(store, outsider, supervisor):
    lead = LeadFactory(store=store, owner=None, pooled_at=timezone.now())

    for actor in (outsider, supervisor):
        with pytest.raises(ValidationError, match="Someone else has already taken this lead"):
            lead_claim(lead=lead, actor=actor)

    lead.refresh_from_db()
    assert lead.owner is None


def test_claim_a_closed_pool_lead_is_refused(store, teammate):
    lead = LeadFactory(store=store, owner=None, status=LeadStatus.LOST,
                       lost_reason=LostReason.UNREACHABLE, closed_at=timezone.now())

    with pytest.raises(ValidationError, match="Someone else has already taken this lead"):
        lead_claim(lead=lead, actor=teammate)
