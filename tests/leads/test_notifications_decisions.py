"""Every decision on a consultant's work reaches them in-app, with a link and its number:
discount requests (both tiers), the contract review, lost requests, finance's payment
confirmation and refund. The actor is not told of their own decision; a refused decision
(403, 409, a ValidationError) sends nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import (
    ApprovalDecision,
    ContractStatus,
    PaymentChannel,
    PaymentKind,
)
from contracts.models import Payment, RefundObligation
from contracts.services import contracts as contract_services
from contracts.services import ledger
from contracts.services.quotes import approval_decide
from dealership.enums import Role
from delivery.services.finance import payment_collect
from leads.enums import EventKind
from leads.models import Notification
from leads.services import lead_approve_lost, lead_return_lost
from leads.services.notifications import notification_send_decision
from tests.contracts.factories import make_contract, make_quote, pending_approval
from tests.factories import TrimFactory
from tests.leads.factories import LeadFactory, LostRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def notes_after(mark: int) -> list[tuple[int, str, str, str, int | None]]:
    """The notifications written after `mark` (the highest id before acting), as (user,
    kind, url, subject, lead) rows, oldest first."""
    return list(Notification.objects.filter(pk__gt=mark).order_by("id").values_list(
        "user", "kind", "url", "subject", "lead"))


def mark() -> int:
    last = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


@pytest.fixture
def lead(store, consultant, customer):
    return LeadFactory(store=store, owner=consultant, customer=customer)


@pytest.fixture
def supervisor_tier(consultant, customer, lead):
    """A consultant's quote asking the supervisor for ¥6,000 (the default policy)."""
    return make_quote(consultant, customer, discount="6000", trim=TrimFactory(), lead=lead)


@pytest.fixture
def manager_tier(consultant, customer, lead):
    return make_quote(consultant, customer, discount="9000", trim=TrimFactory(), lead=lead)


def quote_url(quote) -> str:
    return f"/contracts/quotes/{quote.pk}/"


def contract_url(contract) -> str:
    return f"/contracts/{contract.pk}/"


# --- Discount requests --------------------------------------------------------------------
def test_supervisor_approving_a_discount_tells_the_consultant(consultant, supervisor,
                                                              supervisor_tier, lead):
    before = mark()

    approval_decide(actor=supervisor, approval=pending_approval(supervisor_tier),
                    decision=ApprovalDecision.APPROVE)

    assert notes_after(before) == [
        (consultant.pk, "discount_approved", quote_url(supervisor_tier),
         f"Q{supervisor_tier.pk:06d}", lead.pk)]


def test_supervisor_rejecting_a_discount_tells_the_consultant(consultant, supervisor,
                                                              supervisor_tier, lead):
    before = mark()

    approval_decide(actor=supervisor, approval=pending_approval(supervisor_tier),
                    decision=ApprovalDecision.REJECT, comment="太多了")

    assert notes_after(before) == [
        (consultant.pk, "discount_rejected", quote_url(supervisor_tier),
         f"Q{supervisor_tier.pk:06d}", lead.pk)]


def test_manager_approving_a_manager_tier_discount_tells_the_consultant(
        consultant, manager, manager_tier, lead):
    before = mark()

    approval_decide(actor=manager, approval=pending_approval(manager_tier),
                    decision=ApprovalDecision.APPROVE)

    assert notes_after(before) == [
        (consultant.pk, "discount_approved", quote_url(manager_tier),
         f"Q{manager_tier.pk:06d}", lead.pk)]


def test_manager_countering_tells_the_consultant(consultant, manager, manager_tier, lead):
    before = mark()

    approval_decide(actor=manager, approval=pending_approval(manager_tier),
                    decision=ApprovalDecision.COUNTER, counter_discount=Decimal("5000"))

    assert notes_after(before) == [
        (consultant.pk, "discount_countered", quote_url(manager_tier),
         f"Q{manager_tier.pk:06d}", lead.pk)]


def test_discount_decided_twice_sends_one_notification(consultant, supervisor, manager,
                                                       supervisor_tier):
    approval = pending_approval(supervisor_tier)
    approval_decide(actor=supervisor, approval=approval, decision=ApprovalDecision.APPROVE)
    before = mark()

    with pytest.raises(ValidationError):
        approval_decide(actor=manager, approval=approval, decision=ApprovalDecision.REJECT,
                        comment="不行")

    assert notes_after(before) == []


def test_discount_decided_twice_in_the_browser_is_409_and_sends_nothing(
        client, supervisor, manager, supervisor_tier):
    approval = pending_approval(supervisor_tier)
    approval_decide(actor=supervisor, approval=approval, decision=ApprovalDecision.APPROVE)
    before = mark()
    client.force_login(manager)

    response = client.post(f"/contracts/approvals/{approval.pk}/decide/",
                           {"decision": "reject", "comment": "不行"})

    assert response.status_code == 409
    assert notes_after(before) == []


def test_discount_decided_by_a_teammate_is_403_and_sends_nothing(client, teammate,
                                                                 supervisor_tier):
    approval = pending_approval(supervisor_tier)
    before = mark()
    client.force_login(teammate)

    response = client.post(f"/contracts/approvals/{approval.pk}/decide/",
                           {"decision": "approve"})

    assert response.status_code == 403
    assert notes_after(before) == []


def test_rejecting_without_a_comment_sends_nothing(supervisor, supervisor_tier):
    before = mark()

    with pytest.raises(ValidationError) as error:
        approval_decide(actor=supervisor, approval=pending_approval(supervisor_tier),
                        decision=ApprovalDecision.REJECT, comment=" ")

    assert list(error.value.message_dict) == ["comment"]
    assert notes_after(before) == []


def test_counter_beyond_the_request_rolls_back_and_sends_nothing(manager, manager_tier):
    before = mark()

    with pytest.raises(ValidationError) as error:
        approval_decide(actor=manager, approval=pending_approval(manager_tier),
                        decision=ApprovalDecision.COUNTER, counter_discount=Decimal("9500"))

    assert list(error.value.message_dict) == ["counter_discount"]
    assert notes_after(before) == []


# --- Contract review ----------------------------------------------------------------------
@pytest.fixture
def in_review(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager,
                         status=ContractStatus.IN_REVIEW)


def test_manager_approving_the_contract_tells_the_consultant(consultant, manager, in_review):
    before = mark()

    contract_services.contract_approve(actor=manager, contract=in_review, comment="好")

    # A contract is numbered at signing: the draft is named as its page heads it.
    assert notes_after(before) == [
        (consultant.pk, "contract_approved", contract_url(in_review), f"#{in_review.pk}",
         None)]


def test_manager_sending_the_contract_back_tells_the_consultant(consultant, manager,
                                                                in_review):
    before = mark()

    contract_services.contract_reject(actor=manager, contract=in_review, reason="地址不全")

    assert notes_after(before) == [
        (consultant.pk, "contract_rejected", contract_url(in_review), f"#{in_review.pk}",
         None)]


def test_contract_of_a_lead_links_the_lead_too(store, consultant, customer, manager, lead):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.IN_REVIEW, lead=lead)
    before = mark()

    contract_services.contract_approve(actor=manager, contract=contract)

    assert notes_after(before) == [
        (consultant.pk, "contract_approved", contract_url(contract), f"#{contract.pk}",
         lead.pk)]


def test_contract_approved_twice_sends_one_notification(manager, in_review):
    contract_services.contract_approve(actor=manager, contract=in_review)
    before = mark()

    with pytest.raises(ValidationError):
        contract_services.contract_approve(actor=manager, contract=in_review)

    assert notes_after(before) == []


def test_contract_approved_by_its_consultant_is_403_and_sends_nothing(client, consultant,
                                                                      in_review):
    before = mark()
    client.force_login(consultant)

    response = client.post(f"/contracts/{in_review.pk}/approve/")

    in_review.refresh_from_db()
    assert response.status_code == 403
    assert in_review.status == ContractStatus.IN_REVIEW
    assert notes_after(before) == []


def test_contract_sent_back_without_a_reason_sends_nothing(manager, in_review):
    before = mark()

    with pytest.raises(ValidationError) as error:
        contract_services.contract_reject(actor=manager, contract=in_review, reason=" ")

    assert list(error.value.message_dict) == ["reason"]
    assert notes_after(before) == []


# --- Lost requests ------------------------------------------------------------------------
def test_lost_request_approved_tells_the_consultant(store, consultant, supervisor):
    lost_lead = LeadFactory(store=store, owner=consultant)
    request = LostRequestFactory(lead=lost_lead)
    before = mark()

    lead_approve_lost(request=request, actor=supervisor, note="同意")

    assert notes_after(before) == [
        (consultant.pk, EventKind.LOST_APPROVED, "", "", lost_lead.pk)]


def test_lost_request_sent_back_tells_the_consultant(store, consultant, supervisor):
    lost_lead = LeadFactory(store=store, owner=consultant)
    request = LostRequestFactory(lead=lost_lead)
    before = mark()

    lead_return_lost(request=request, actor=supervisor, note="再约一次")

    assert notes_after(before) == [
        (consultant.pk, EventKind.LOST_RETURNED, "", "", lost_lead.pk)]


def test_lost_request_decided_twice_is_409_and_sends_nothing(client, store, consultant,
                                                             supervisor, manager):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))
    lead_approve_lost(request=request, actor=supervisor, note="同意")
    before = mark()
    client.force_login(manager)

    response = client.post(f"/leads/lost-requests/{request.pk}/decide/",
                           {"decision": "return", "note": "再试试"})

    assert response.status_code == 409
    assert notes_after(before) == []


def test_lost_request_decided_by_a_consultant_sends_nothing(store, consultant, teammate):
    request = LostRequestFactory(lead=LeadFactory(store=store, owner=consultant))
    before = mark()

    with pytest.raises(PermissionDenied):
        lead_approve_lost(request=request, actor=teammate)

    assert notes_after(before) == []


# --- Money --------------------------------------------------------------------------------
@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, name="钱会计")


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def test_finance_confirming_the_deposit_tells_the_consultant(consultant, finance, signed):
    deposit = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    before = mark()

    ledger.payment_confirm(actor=finance, payment=deposit)

    # Numbered at signing: the store's code, the year, the sequence.
    assert signed.number == f"{signed.store.code}-{signed.year}-000001"
    assert notes_after(before) == [
        (consultant.pk, "payment_confirmed", contract_url(signed), signed.number, None)]


def test_deposit_confirmed_twice_is_409_and_sends_nothing(client, finance, signed):
    deposit = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    ledger.payment_confirm(actor=finance, payment=deposit)
    before = mark()
    client.force_login(finance)

    response = client.post(f"/delivery/payments/{deposit.pk}/confirm/",
                           {"confirm": "received"})

    assert response.status_code == 409
    assert notes_after(before) == []


def test_deposit_confirmed_by_the_consultant_is_refused_and_sends_nothing(consultant, signed):
    deposit = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    before = mark()

    with pytest.raises(PermissionDenied):
        ledger.payment_confirm(actor=consultant, payment=deposit)

    assert notes_after(before) == []


def test_finance_paying_a_refund_tells_the_consultant(consultant, manager, finance, signed):
    contract_services.contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")
    refund = RefundObligation.objects.get(contract=signed)
    before = mark()

    ledger.refund_settle(actor=finance, refund=refund, channel=PaymentChannel.CASH,
                         receipt_number="TK-0001")

    assert notes_after(before) == [
        (consultant.pk, "refund_paid", contract_url(signed), signed.number, None)]


def test_refund_with_a_receipt_number_taken_sends_nothing(consultant, manager, finance,
                                                          signed):
    contract_services.contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")
    refund = RefundObligation.objects.get(contract=signed)
    deposit = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    before = mark()

    with pytest.raises(ValidationError) as error:
        ledger.refund_settle(actor=finance, refund=refund, channel=PaymentChannel.CASH,
                             receipt_number=deposit.receipt_number)

    assert list(error.value.message_dict) == ["receipt_number"]
    assert notes_after(before) == []


def test_finance_collecting_the_balance_links_the_contract(consultant, finance, signed):
    before = mark()

    payment_collect(actor=finance, contract=signed, kind=PaymentKind.BALANCE,
                    channel=PaymentChannel.TRANSFER, amount=Decimal("1000.00"),
                    receipt_number="B-0001", received_at=timezone.now())

    assert notes_after(before) == [
        (consultant.pk, "payment", contract_url(signed), signed.number, None)]


# --- Nobody is told of their own decision -------------------------------------------------
def test_a_decision_on_ones_own_work_sends_nothing(store, manager):
    sent = notification_send_decision(actor=manager, user=manager, store=store,
                                      kind="contract_approved", url="/contracts/1/",
                                      subject="#1")

    assert (sent, Notification.objects.count()) == (None, 0)


def test_notification_kinds_read_in_the_users_language(consultant, supervisor,
                                                       supervisor_tier):
    approval_decide(actor=supervisor, approval=pending_approval(supervisor_tier),
                    decision=ApprovalDecision.APPROVE)

    note = Notification.objects.get(kind="discount_approved")
    assert note.get_kind_display() == "Discount approved"
