"""Deciding a discount approval: approve, reject with a comment, counter with a smaller
discount; who may decide which request; a decided request stays decided."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import (
    ApprovalDecision,
    ApprovalStatus,
    ApprovalTier,
    LeadEventKind,
    QuoteStatus,
)
from contracts.models import ApprovalRequest, QuoteVersion
from contracts.services.quotes import approval_decide
from dealership.enums import AuditAction, Role
from leads.models import LeadEvent
from tests.contracts.factories import make_quote, pending_approval
from tests.contracts.factories_services import audit_rows, customer_of, second_team, set_policy
from tests.factories import TrimFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def trim(db):
    return TrimFactory()


@pytest.fixture
def asked(consultant, customer, trim):
    """A consultant's quote asking the supervisor for ¥6,000."""
    return make_quote(consultant, customer, discount="6000", trim=trim)


@pytest.fixture
def asked_manager(consultant, customer, trim):
    """A consultant's quote asking the manager for ¥9,000."""
    return make_quote(consultant, customer, discount="9000", trim=trim)


def promote_to_manager(user) -> None:
    user.role, user.seniority, user.team = Role.MANAGER, "", None
    user.save(update_fields=["role", "seniority", "team"])


def decide(actor, quote, decision, **kwargs) -> ApprovalRequest:
    return approval_decide(actor=actor, approval=pending_approval(quote), decision=decision,
                           **kwargs)


# --- Approve ------------------------------------------------------------------------------
def test_supervisor_approves_their_teams_request(supervisor, asked):
    before = timezone.now()

    request = decide(supervisor, asked, ApprovalDecision.APPROVE, comment=" 可以 ")

    request.refresh_from_db()
    asked.refresh_from_db()
    assert (request.status, request.decided_by, request.comment, request.counter_discount) == (
        ApprovalStatus.APPROVED, supervisor, "可以", None)
    assert request.decided_at >= before
    assert (asked.status, asked.current_version.number) == (QuoteStatus.APPROVED, 1)
    [entry] = audit_rows(asked, action=AuditAction.UPDATE)
    assert (entry.actor, entry.changes, entry.reason) == (supervisor, {
        "status": ["pending", "approved"], "approval": ["pending", "approved"]}, "可以")


def test_manager_approves_a_supervisor_tier_request(manager, asked):
    request = decide(manager, asked, ApprovalDecision.APPROVE)

    asked.refresh_from_db()
    assert (request.status, request.decided_by, asked.status) == (
        ApprovalStatus.APPROVED, manager, QuoteStatus.APPROVED)


def test_manager_approves_a_manager_tier_request(manager, asked_manager):
    request = decide(manager, asked_manager, ApprovalDecision.APPROVE, comment="季度末冲量")

    asked_manager.refresh_from_db()
    assert (request.tier, request.status, asked_manager.status) == (
        ApprovalTier.MANAGER, ApprovalStatus.APPROVED, QuoteStatus.APPROVED)


def test_decision_is_written_on_the_lead(store, consultant, supervisor, customer, trim):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    quote = make_quote(consultant, customer, discount="6000", trim=trim, lead=lead)

    decide(supervisor, quote, ApprovalDecision.APPROVE, comment="同意")

    event = LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.QUOTE).latest("id")
    assert (event.actor, event.note) == (supervisor, "Discount Approved: 同意")


# --- Reject -------------------------------------------------------------------------------
def test_reject_needs_a_comment(supervisor, asked):
    with pytest.raises(ValidationError) as excinfo:
        decide(supervisor, asked, ApprovalDecision.REJECT, comment="  ")

    assert excinfo.value.message_dict == {"comment": ["Tell the consultant why you reject it."]}
    assert pending_approval(asked).decided_by is None


def test_reject_with_a_comment_rejects_the_quote(supervisor, asked):
    request = decide(supervisor, asked, ApprovalDecision.REJECT, comment="利润太低")

    request.refresh_from_db()
    asked.refresh_from_db()
    assert (request.status, request.decided_by, request.comment) == (
        ApprovalStatus.REJECTED, supervisor, "利润太低")
    assert asked.status == QuoteStatus.REJECTED


def test_unknown_decision_is_refused(supervisor, asked):
    with pytest.raises(ValidationError) as excinfo:
        decide(supervisor, asked, "maybe")

    assert excinfo.value.message_dict == {"decision": [
        "Choose approve, reject or counter-offer."]}


# --- Counter ------------------------------------------------------------------------------
def test_counter_writes_an_approved_version_with_the_smaller_discount(supervisor, asked):
    request = decide(supervisor, asked, ApprovalDecision.COUNTER, comment="最多四千",
                     counter_discount=D("4000"))

    request.refresh_from_db()
    asked.refresh_from_db()
    assert (request.status, request.counter_discount, request.decided_by) == (
        ApprovalStatus.COUNTERED, D("4000.00"), supervisor)
    version = asked.current_version
    assert (asked.status, version.number, version.discount, version.created_by,
            version.note, version.out_the_door) == (
        QuoteStatus.APPROVED, 2, D("4000.00"), supervisor, "最多四千", D("205800.00"))
    assert version.changes == [{"field": "discount", "old": "6000.00", "new": "4000.00"},
                               {"field": "note", "old": "", "new": "最多四千"}]
    assert QuoteVersion.objects.filter(quote=asked).count() == 2
    assert ApprovalRequest.objects.filter(quote=asked, status="pending").count() == 0


@pytest.mark.parametrize("counter", [D("6000"), D("6500"), None, D("-1")])
def test_counter_not_smaller_than_the_ask_is_refused(supervisor, asked, counter):
    with pytest.raises(ValidationError) as excinfo:
        decide(supervisor, asked, ApprovalDecision.COUNTER, counter_discount=counter)

    assert excinfo.value.message_dict == {"counter_discount": [
        "A counter-offer is a smaller discount than the ¥6,000.00 asked."]}
    asked.refresh_from_db()
    assert (asked.status, asked.current_version.number) == (QuoteStatus.PENDING, 1)
    assert pending_approval(asked).decided_by is None


def test_supervisor_counter_beyond_their_authority_is_refused(store, supervisor, manager,
                                                              asked):
    # The store lowered the supervisor's limit while the request waited.
    set_policy(store, consultant_limit="2000", supervisor_limit="5000")

    with pytest.raises(ValidationError) as excinfo:
        decide(supervisor, asked, ApprovalDecision.COUNTER, counter_discount=D("5500"))
    request = decide(manager, asked, ApprovalDecision.COUNTER, counter_discount=D("5500"))

    assert excinfo.value.message_dict == {"counter_discount": [
        "This counter-offer is beyond your own authority."]}
    assert (request.status, request.decided_by, request.counter_discount) == (
        ApprovalStatus.COUNTERED, manager, D("5500.00"))


def test_counter_below_the_floor_keeps_the_recorded_reason(manager, consultant, customer):
    cheap = TrimFactory(msrp=D("50000"))  # floor 4,000
    quote = make_quote(consultant, customer, discount="6000", trim=cheap,
                       floor_reason="客户是老车主")

    decide(manager, quote, ApprovalDecision.COUNTER, counter_discount=D("5000"))

    quote.refresh_from_db()
    version = quote.current_version
    assert (quote.status, version.discount, version.below_floor, version.floor_reason) == (
        QuoteStatus.APPROVED, D("5000.00"), True, "客户是老车主")


# --- Who may decide -----------------------------------------------------------------------
def test_consultant_cannot_approve(teammate, asked):
    with pytest.raises(PermissionDenied):
        decide(teammate, asked, ApprovalDecision.APPROVE)
    assert pending_approval(asked).decided_by is None


def test_consultant_cannot_approve_their_own_discount(consultant, asked):
    with pytest.raises(PermissionDenied):
        decide(consultant, asked, ApprovalDecision.APPROVE)


def test_nobody_approves_a_request_they_asked_for(consultant, asked):
    # Promoted to manager while their own request waits: still not theirs to decide.
    promote_to_manager(consultant)

    with pytest.raises(PermissionDenied):
        decide(consultant, asked, ApprovalDecision.APPROVE)
    assert pending_approval(asked).decided_by is None


def test_nobody_approves_a_request_on_their_own_quote(supervisor, manager, consultant,
                                                      customer, trim):
    # The supervisor wrote a ¥9,000 version of their consultant's quote: the manager's call.
    quote = make_quote(supervisor, customer, discount="9000", trim=trim)
    assert pending_approval(quote).requested_by == supervisor
    # The consultant, now a manager, is still the quote's own consultant.
    promote_to_manager(consultant)

    with pytest.raises(PermissionDenied):
        decide(consultant, quote, ApprovalDecision.APPROVE)
    with pytest.raises(PermissionDenied):
        decide(supervisor, quote, ApprovalDecision.APPROVE)
    request = decide(manager, quote, ApprovalDecision.APPROVE)
    assert request.decided_by == manager


def test_supervisor_cannot_decide_a_manager_tier_request(supervisor, asked_manager):
    with pytest.raises(PermissionDenied):
        decide(supervisor, asked_manager, ApprovalDecision.APPROVE)
    assert pending_approval(asked_manager).decided_by is None


def test_supervisor_cannot_decide_another_teams_request(store, asked):
    other_supervisor, _consultant = second_team(store)

    with pytest.raises(PermissionDenied):
        decide(other_supervisor, asked, ApprovalDecision.APPROVE)


def test_other_teams_supervisor_decides_their_own_teams_request(store, trim):
    other_supervisor, other_consultant = second_team(store)
    quote = make_quote(other_consultant, customer_of(other_consultant), discount="3500",
                       trim=trim)

    request = decide(other_supervisor, quote, ApprovalDecision.APPROVE)

    assert (request.status, request.decided_by) == (ApprovalStatus.APPROVED, other_supervisor)


def test_request_of_a_consultant_without_a_team_is_the_managers(store, supervisor, manager,
                                                                trim):
    loner = UserFactory(username="loner", role=Role.CONSULTANT, store=store, team=None)
    quote = make_quote(loner, customer_of(loner), discount="3500", trim=trim)

    with pytest.raises(PermissionDenied):
        decide(supervisor, quote, ApprovalDecision.APPROVE)
    request = decide(manager, quote, ApprovalDecision.APPROVE)

    assert (request.status, request.decided_by) == (ApprovalStatus.APPROVED, manager)


def test_manager_of_another_store_cannot_decide(other_store, asked):
    stranger = UserFactory(username="mgr2", role=Role.MANAGER, store=other_store)

    with pytest.raises(PermissionDenied):
        decide(stranger, asked, ApprovalDecision.APPROVE)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.RECEPTIONIST, Role.MARKETING])
def test_other_roles_cannot_decide(make_user, asked, role):
    with pytest.raises(PermissionDenied):
        decide(make_user(role), asked, ApprovalDecision.APPROVE)


# --- A decided request stays decided ------------------------------------------------------
def test_deciding_a_decided_request_names_who_decided(supervisor, manager, asked):
    request = pending_approval(asked)
    approval_decide(actor=manager, approval=request, decision=ApprovalDecision.APPROVE)

    with pytest.raises(ValidationError) as excinfo:
        approval_decide(actor=supervisor, approval=request, decision=ApprovalDecision.REJECT,
                        comment="不行")

    assert excinfo.value.messages == ["This request was already decided (Approved) by 周经理."]
    request.refresh_from_db()
    asked.refresh_from_db()
    assert (request.status, request.decided_by, asked.status) == (
        ApprovalStatus.APPROVED, manager, QuoteStatus.APPROVED)


def test_deciding_a_superseded_request_is_refused(supervisor, consultant, asked, trim):
    from contracts.services.quotes import QuoteInput, quote_revise

    request = pending_approval(asked)
    quote_revise(actor=consultant, quote=asked, data=QuoteInput(trim=trim, discount=D("5000")))

    with pytest.raises(ValidationError) as excinfo:
        approval_decide(actor=supervisor, approval=request, decision=ApprovalDecision.APPROVE)

    assert excinfo.value.messages == [
        "This request is no longer waiting (Superseded by a newer version)."]
    assert ApprovalRequest.objects.get(quote=asked, status="pending").discount == D("5000.00")
