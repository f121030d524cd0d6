"""Races of the money stage that only a real database shows (PostgreSQL): two approvers on
one discount, concurrent signings and their gapless numbers, two hands on one contract or
one quote. Each thread has its own connection, as two web workers would."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from contracts.enums import (
    ApprovalDecision,
    ApprovalStatus,
    ContractStatus,
    PaymentChannel,
    QuoteStatus,
)
from contracts.models import (
    ApprovalRequest,
    Contract,
    ContractDocument,
    ContractSequence,
    Payment,
    QuoteVersion,
    RefundObligation,
)
from contracts.services import contracts as contract_services
from contracts.services.quotes import approval_decide, quote_revise
from tests.concurrency import race, require_postgres
from tests.contracts.factories import (
    approved_quote,
    make_contract,
    make_quote,
    pending_approval,
    quote_input,
)
from tests.contracts.factories_services import customer_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

S = ContractStatus


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def sign(actor, contract, receipt):
    return contract_services.contract_sign(
        actor=actor, contract=contract, customer_signed=True,
        deposit_channel=PaymentChannel.WECHAT, receipt_number=receipt)


def split(results, kind):
    winners = [r for r in results if isinstance(r, kind)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    return winners, losers


# --- Two approvers ------------------------------------------------------------------------
def test_supervisor_and_manager_approve_at_once_one_wins(consultant, customer, supervisor,
                                                         manager):
    quote = make_quote(consultant, customer, discount="6000")
    request = pending_approval(quote)

    results = race(
        lambda: approval_decide(actor=supervisor, approval=request,
                                decision=ApprovalDecision.APPROVE, comment="主管同意"),
        lambda: approval_decide(actor=manager, approval=request,
                                decision=ApprovalDecision.APPROVE, comment="经理同意"),
        timeout=30)

    winners, losers = split(results, ApprovalRequest)
    assert (len(winners), len(losers)) == (1, 1)
    winner = winners[0].decided_by
    assert losers[0].messages == [
        f"This request was already decided (Approved) by {winner.name}."]
    decided = ApprovalRequest.objects.filter(quote=quote).exclude(status="pending")
    assert [(r.status, r.decided_by) for r in decided] == [(ApprovalStatus.APPROVED, winner)]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_approve_and_reject_at_once_the_quote_follows_the_winner(consultant, customer,
                                                                 supervisor, manager):
    quote = make_quote(consultant, customer, discount="6000")
    request = pending_approval(quote)

    results = race(
        lambda: approval_decide(actor=supervisor, approval=request,
                                decision=ApprovalDecision.APPROVE),
        lambda: approval_decide(actor=manager, approval=request,
                                decision=ApprovalDecision.REJECT, comment="利润太低"),
        timeout=30)

    winners, losers = split(results, ApprovalRequest)
    assert (len(winners), len(losers)) == (1, 1)
    [decided] = ApprovalRequest.objects.filter(quote=quote)
    assert (decided.status, decided.decided_by) == (winners[0].status, winners[0].decided_by)
    quote.refresh_from_db()
    expected = {ApprovalStatus.APPROVED: QuoteStatus.APPROVED,
                ApprovalStatus.REJECTED: QuoteStatus.REJECTED}[decided.status]
    assert quote.status == expected
    assert losers[0].messages == [
        f"This request was already decided ({decided.get_status_display()}) by "
        f"{decided.decided_by.name}."]


def test_counter_and_approve_at_once_write_at_most_one_new_version(consultant, customer,
                                                                   supervisor, manager):
    quote = make_quote(consultant, customer, discount="6000")
    request = pending_approval(quote)

    results = race(
        lambda: approval_decide(actor=supervisor, approval=request,
                                decision=ApprovalDecision.COUNTER,
                                counter_discount=D("4000"), comment="四千"),
        lambda: approval_decide(actor=manager, approval=request,
                                decision=ApprovalDecision.APPROVE),
        timeout=30)

    winners, losers = split(results, ApprovalRequest)
    assert (len(winners), len(losers)) == (1, 1)
    quote.refresh_from_db()
    versions = QuoteVersion.objects.filter(quote=quote).count()
    if winners[0].status == ApprovalStatus.COUNTERED:
        assert (versions, quote.current_version.discount) == (2, D("4000.00"))
    else:
        assert (versions, quote.current_version.discount) == (1, D("6000.00"))
    assert quote.status == QuoteStatus.APPROVED


# --- Gapless numbers ----------------------------------------------------------------------
def test_eight_concurrent_signings_get_numbers_one_to_eight(store, consultant, manager):
    contracts = [make_contract(consultant, customer_of(consultant), manager=manager,
                               status=S.APPROVED) for _ in range(8)]

    results = race(*[
        (lambda c=c: sign(consultant, c, receipt=f"WX-{c.pk}")) for c in contracts],
        timeout=60)

    assert [type(r) for r in results] == [Contract] * 8
    year = store.today().year
    numbers = sorted(Contract.objects.values_list("number", flat=True))
    assert numbers == [f"DEMO-{year}-{n:06d}" for n in range(1, 9)]
    assert sorted(Contract.objects.values_list("sequence", flat=True)) == list(range(1, 9))
    assert ContractSequence.objects.get(store=store, year=year).last == 8
    assert Payment.objects.count() == ContractDocument.objects.count() == 8


def test_signing_that_loses_the_receipt_race_gives_its_number_back(store, consultant,
                                                                   manager):
    first, second = (make_contract(consultant, customer_of(consultant), manager=manager,
                                   status=S.APPROVED) for _ in range(2))

    # Both usually check the ledger before either has written the receipt: then the
    # database's unique receipt number stops the second, after it took a number.
    results = race(lambda: sign(consultant, first, receipt="WX-SAME"),
                   lambda: sign(consultant, second, receipt="WX-SAME"), timeout=30)

    winners, losers = split(results, Contract)
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].message_dict == {"receipt_number": [
        "This receipt number is already in the ledger."]}
    year = store.today().year
    assert winners[0].number == f"DEMO-{year}-000001"
    loser = Contract.objects.get(pk=({first.pk, second.pk} - {winners[0].pk}).pop())
    assert (loser.status, loser.number, loser.sequence) == (S.APPROVED, "", None)
    assert ContractSequence.objects.get(store=store, year=year).last == 1

    again = sign(consultant, loser, receipt="WX-OTHER")

    assert again.number == f"DEMO-{year}-000002"


def test_concurrent_signings_in_two_stores_number_independently(store, consultant, manager,
                                                                other_store, outsider):
    from tests.factories import UserFactory

    other_manager = UserFactory(username="mgr-other", role="manager", store=other_store)
    ours = [make_contract(consultant, customer_of(consultant), manager=manager,
                          status=S.APPROVED) for _ in range(3)]
    theirs = [make_contract(outsider, customer_of(outsider), manager=other_manager,
                            status=S.APPROVED) for _ in range(3)]

    results = race(*[(lambda c=c: sign(consultant, c, receipt=f"A-{c.pk}")) for c in ours],
                   *[(lambda c=c: sign(outsider, c, receipt=f"B-{c.pk}")) for c in theirs],
                   timeout=60)

    assert [type(r) for r in results] == [Contract] * 6
    year = store.today().year
    assert sorted(Contract.objects.values_list("number", flat=True)) == [
        *(f"DEMO-{year}-{n:06d}" for n in range(1, 4)),
        *(f"OTHER-{year}-{n:06d}" for n in range(1, 4))]


# --- Two hands on one contract or one quote -----------------------------------------------
def test_two_people_sign_the_same_contract_at_once_one_wins(store, consultant, supervisor,
                                                            manager, customer):
    contract = make_contract(consultant, customer, manager=manager, status=S.APPROVED)

    results = race(lambda: sign(consultant, contract, receipt="WX-1"),
                   lambda: sign(supervisor, contract, receipt="WX-2"), timeout=30)

    winners, losers = split(results, Contract)
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].messages == ["This contract is Signed; that step is not possible now."]
    contract.refresh_from_db()
    year = store.today().year
    assert (contract.status, contract.number, contract.signed_by) == (
        S.SIGNED, f"DEMO-{year}-000001", winners[0].signed_by)
    assert Payment.objects.filter(contract=contract).count() == 1
    assert ContractDocument.objects.filter(contract=contract).count() == 1
    assert ContractSequence.objects.get(store=store, year=year).last == 1


def test_two_drafts_from_the_same_quote_at_once_make_one_contract(consultant, supervisor,
                                                                  customer):
    quote = approved_quote(consultant, customer)

    results = race(lambda: contract_services.contract_draft(actor=consultant, quote=quote),
                   lambda: contract_services.contract_draft(actor=supervisor, quote=quote),
                   timeout=30)

    winners, losers = split(results, Contract)
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].messages == [
        "Only an approved quote becomes a contract; this one is Contract drafted."]
    assert list(Contract.objects.filter(quote=quote)) == winners
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONTRACTED


def test_sign_and_cancel_at_once_leave_a_consistent_contract(store, consultant, manager,
                                                             customer):
    contract = make_contract(consultant, customer, manager=manager, status=S.APPROVED)

    results = race(lambda: sign(consultant, contract, receipt="WX-1"),
                   lambda: contract_services.contract_cancel(actor=manager, contract=contract,
                                                             reason="客户放弃"),
                   timeout=30)

    contract.refresh_from_db()
    assert contract.status == S.CANCELLED
    if isinstance(results[0], Contract):
        # Signed first, then cancelled by the manager: the deposit is owed back.
        assert contract.number == f"DEMO-{store.today().year}-000001"
        assert RefundObligation.objects.get(contract=contract).amount == D("5000.00")
    else:
        assert results[0].messages == [
            "This contract is Cancelled; that step is not possible now."]
        assert (contract.number, ContractSequence.objects.count(),
                RefundObligation.objects.count()) == ("", 0, 0)


# --- A quote changed while another request waits for it ------------------------------------
def test_two_revisions_at_once_are_saved_one_after_the_other(consultant, supervisor,
                                                             customer):
    quote = make_quote(consultant, customer, discount="1000")
    trim = quote.current_version.trim

    # The second waits for the quote's lock, then must build on the first's version
    # (not on the one it saw before waiting, nor on none).
    results = race(
        lambda: quote_revise(actor=consultant, quote=quote,
                             data=quote_input(trim, discount=D("1500"))),
        lambda: quote_revise(actor=supervisor, quote=quote,
                             data=quote_input(trim, discount=D("1800"))),
        timeout=30)

    assert [type(r) for r in results] == [QuoteVersion, QuoteVersion]
    assert sorted(r.number for r in results) == [2, 3]
    quote.refresh_from_db()
    last = max(results, key=lambda r: r.number)
    assert quote.current_version == last
    assert [c["field"] for c in last.changes] == ["discount"]


def test_counter_offer_and_revision_at_once_leave_a_consistent_quote(consultant, supervisor,
                                                                     customer):
    quote = make_quote(consultant, customer, discount="6000")
    request = pending_approval(quote)
    trim = quote.current_version.trim

    results = race(
        lambda: approval_decide(actor=supervisor, approval=request,
                                decision=ApprovalDecision.COUNTER,
                                counter_discount=D("4000"), comment="四千"),
        lambda: quote_revise(actor=consultant, quote=quote,
                             data=quote_input(trim, discount=D("5000"))),
        timeout=30)

    assert not [r for r in results if not isinstance(r, ApprovalRequest | QuoteVersion
                                                     | ValidationError)]
    numbers = sorted(QuoteVersion.objects.filter(quote=quote).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    quote.refresh_from_db()
    assert quote.current_version.number == numbers[-1]


def test_revision_and_contract_draft_at_once_contract_has_the_current_version(
        consultant, supervisor, customer):
    quote = approved_quote(consultant, customer)
    trim = quote.current_version.trim

    results = race(
        lambda: quote_revise(actor=supervisor, quote=quote,
                             data=quote_input(trim, discount=D("2500"))),
        lambda: contract_services.contract_draft(actor=consultant, quote=quote),
        timeout=30)

    assert not [r for r in results if not isinstance(r, QuoteVersion | Contract
                                                     | ValidationError)]
    [contract] = Contract.objects.filter(quote=quote)
    quote.refresh_from_db()
    assert contract.quote_version == quote.current_version
    assert contract.discount == quote.current_version.discount
