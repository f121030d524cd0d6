"""The funnel's steps, one service each: invited, visited, test driven, negotiating, won.

Each: the happy path, each refused precondition (the lead is further along or closed), and
roles that may not take the step. A refusal leaves the lead and its timeline untouched.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import Role
from leads.enums import EventKind, LeadStatus, LostReason, LostRequestStatus
from leads.models import Lead, LeadEvent
from leads.services import (
    lead_invite,
    lead_mark_test_driven,
    lead_mark_visited,
    lead_start_negotiation,
    lead_win,
)
from tests.leads.factories import LeadFactory, LostRequestFactory

pytestmark = pytest.mark.usefixtures("in_english")  # refusals are matched by their msgids

STEPS = [
    # (service, the status it sets, a status just before it)
    (lead_invite, LeadStatus.INVITED, LeadStatus.CONTACTED),
    (lead_mark_visited, LeadStatus.VISITED, LeadStatus.INVITED),
    (lead_mark_test_driven, LeadStatus.TEST_DRIVEN, LeadStatus.VISITED),
    (lead_start_negotiation, LeadStatus.NEGOTIATING, LeadStatus.TEST_DRIVEN),
]
STEP_IDS = ["invite", "visited", "test_driven", "negotiating"]


def status_events(lead: Lead) -> list[tuple[str, str, str]]:
    return [(e.data["from"], e.data["to"], e.actor.username)
            for e in lead.events.filter(kind=EventKind.STATUS).order_by("id")]


def unchanged(lead: Lead, status: str) -> bool:
    lead.refresh_from_db()
    return lead.status == status and not LeadEvent.objects.filter(lead=lead).exists()


# --- Happy paths --------------------------------------------------------------------------
@pytest.mark.parametrize(("service", "target", "before"), STEPS, ids=STEP_IDS)
def test_step_moves_the_lead_on_with_a_status_row(store, consultant, service, target, before):
    lead = LeadFactory(store=store, owner=consultant, status=before)

    moved = service(lead=lead, actor=consultant)

    lead.refresh_from_db()
    assert (moved.status, lead.status) == (target, target)
    assert status_events(lead) == [(before, target, consultant.username)]


@pytest.mark.parametrize(("service", "target", "before"), STEPS, ids=STEP_IDS)
def test_step_skips_the_steps_in_between(store, consultant, service, target, before):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEW)

    service(lead=lead, actor=consultant)

    lead.refresh_from_db()
    assert status_events(lead) == [("new", target, consultant.username)]


@pytest.mark.parametrize(("service", "target", "before"), STEPS, ids=STEP_IDS)
def test_step_wakes_a_dormant_lead(store, consultant, service, target, before):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT,
                       dormant_at=timezone.now())

    service(lead=lead, actor=consultant)

    lead.refresh_from_db()
    assert (lead.status, lead.dormant_at) == (target, None)


def test_visit_is_recorded_by_the_desk(store, consultant, make_user):
    receptionist = make_user(Role.RECEPTIONIST)
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.INVITED)

    lead_mark_visited(lead=lead, actor=receptionist)

    assert status_events(lead) == [("invited", "visited", "receptionist")]


@pytest.mark.parametrize("service", [lead_mark_visited, lead_mark_test_driven],
                         ids=["visited", "test_driven"])
def test_floor_step_by_a_consultant_serving_anothers_customer(store, consultant, teammate,
                                                              service):
    """The owner may be off: whoever served the customer records the visit or the drive."""
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    service(lead=lead, actor=teammate)

    lead.refresh_from_db()
    assert lead.owner == consultant
    assert status_events(lead)[0][2] == teammate.username


# --- Refused preconditions ----------------------------------------------------------------
@pytest.mark.parametrize(("service", "target", "before"), STEPS, ids=STEP_IDS)
def test_step_back_from_a_later_status_is_refused(store, consultant, service, target, before):
    """Negotiating is the last step before signing: every step back, or the same step
    again, is refused."""
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEGOTIATING)

    with pytest.raises(ValidationError) as refused:
        service(lead=lead, actor=consultant)

    assert refused.value.messages == [
        f"A Negotiating lead cannot become {LeadStatus(target).label}."]
    assert unchanged(lead, LeadStatus.NEGOTIATING)


@pytest.mark.parametrize(("service", "target", "before"), STEPS, ids=STEP_IDS)
@pytest.mark.parametrize("closed", [LeadStatus.WON, LeadStatus.LOST])
def test_step_on_a_closed_lead_is_refused(store, consultant, service, target, before, closed):
    lead = LeadFactory(store=store, owner=consultant, status=closed, closed_at=timezone.now(),
                       lost_reason=LostReason.PRICE if closed == LeadStatus.LOST else "")

    with pytest.raises(ValidationError) as refused:
        service(lead=lead, actor=consultant)

    assert refused.value.messages == [
        f"A {LeadStatus(closed).label} lead cannot become {LeadStatus(target).label}."]
    assert unchanged(lead, closed)


def test_step_checks_the_locked_row_not_the_callers_copy(store, consultant):
    """Another request moved the lead on meanwhile: the caller's stale copy says otherwise."""
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.TEST_DRIVEN)

    with pytest.raises(ValidationError) as refused:
        lead_invite(lead=lead, actor=consultant)

    assert refused.value.messages == ["A Test driven lead cannot become Invited."]
    assert unchanged(lead, LeadStatus.TEST_DRIVEN)


# --- Roles that may not ---------------------------------------------------------------------
@pytest.mark.parametrize(("service", "role"), [
    (lead_invite, Role.RECEPTIONIST),
    (lead_invite, Role.MARKETING),
    (lead_mark_visited, Role.MARKETING),
    (lead_mark_visited, Role.FINANCE),
    (lead_mark_test_driven, Role.RECEPTIONIST),
    (lead_start_negotiation, Role.RECEPTIONIST),
    (lead_start_negotiation, Role.MARKETING),
    (lead_win, Role.RECEPTIONIST),
    (lead_win, Role.FINANCE),
], ids=lambda value: getattr(value, "__name__", value))
def test_step_by_a_role_that_may_not_is_refused(store, consultant, make_user, service, role):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    with pytest.raises(PermissionDenied):
        service(lead=lead, actor=make_user(role))

    assert unchanged(lead, LeadStatus.CONTACTED)


@pytest.mark.parametrize("service", [
    lead_invite, lead_mark_visited, lead_mark_test_driven, lead_start_negotiation, lead_win,
], ids=lambda service: service.__name__)
def test_step_by_a_consultant_of_another_store_is_refused(store, consultant, outsider, service):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    with pytest.raises(PermissionDenied):
        service(lead=lead, actor=outsider)

    assert unchanged(lead, LeadStatus.CONTACTED)


def test_invite_by_a_colleague_who_does_not_own_the_lead_is_refused(store, consultant,
                                                                     teammate):
    """Booking the customer in is working the lead: its owner's (or their supervisor's)."""
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    with pytest.raises(PermissionDenied):
        lead_invite(lead=lead, actor=teammate)

    assert unchanged(lead, LeadStatus.CONTACTED)


def test_invite_by_the_owners_supervisor(store, consultant, supervisor):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    lead_invite(lead=lead, actor=supervisor)

    assert status_events(lead) == [("contacted", "invited", supervisor.username)]


# --- Won --------------------------------------------------------------------------------------
def test_win_from_an_early_status_closes_the_lead_and_returns_a_waiting_lost_request(
        store, consultant, manager):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.VISITED)
    request = LostRequestFactory(lead=lead, requested_by=consultant)

    won = lead_win(lead=lead, actor=manager)

    request.refresh_from_db()
    assert (won.status, won.closed_at is not None) == (LeadStatus.WON, True)
    assert status_events(lead) == [("visited", "won", manager.username)]
    assert (request.status, request.decided_at) == (LostRequestStatus.RETURNED, won.closed_at)
