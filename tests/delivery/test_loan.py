"""The loan application (issue 11 item 4) and its part in the money position: submitted,
approved (the consultant is told, the customer's part drops by the loan), disbursed by the
loan payment that completes it; rejected and sent again; who may; fields named.

Worked by hand: ¥207,800 to pay, ¥5,000 deposit → balance ¥202,800; a ¥145,000 loan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.enums import ContractStatus, NotificationKind, PaymentChannel, PaymentKind
from contracts.models import Payment
from dealership.enums import Role
from dealership.models import AuditEntry
from delivery.enums import LeadEventKind, LoanDocument, LoanStatus
from delivery.models import LoanApplication
from delivery.selectors.money import money_position, money_positions
from delivery.services.finance import (
    loan_decide,
    loan_documents_update,
    loan_submit,
    payment_collect,
)
from leads.models import Notification
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, name="钱会计")


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def submit(actor, contract, **overrides):
    values = {"lender": "招商银行", "amount": Decimal("145000"), "term_months": 36,
              "annual_rate": Decimal("3.85"), "documents": {LoanDocument.ID_CARD: True}}
    values.update(overrides)
    return loan_submit(actor=actor, contract=contract, **values)


def collect(actor, contract, amount, *, kind=PaymentKind.BALANCE, receipt="B-1"):
    return payment_collect(actor=actor, contract=contract, kind=kind,
                           channel=PaymentChannel.TRANSFER, amount=Decimal(amount),
                           receipt_number=receipt, received_at=timezone.now())


def test_the_money_position_through_a_loan_worked_by_hand(signed, consultant, finance):
    position = money_position(signed)
    assert (position.balance_due, position.customer_due, position.settled) == (
        Decimal("202800.00"), Decimal("202800.00"), False)

    loan = submit(consultant, signed)
    position = money_position(signed)
    # Submitted: the loan is expected but not granted, the customer still owes it all.
    assert (position.loan_expected, position.customer_due, position.settled) == (
        Decimal("145000.00"), Decimal("202800.00"), False)

    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    position = money_position(signed)
    # 202,800 − 145,000 the lender will pay = 57,800 the customer's own part.
    assert position.customer_due == Decimal("57800.00")
    assert not position.settled

    collect(finance, signed, "57800")
    position = money_position(signed)
    assert (position.balance_due, position.customer_due, position.settled) == (
        Decimal("145000.00"), Decimal("0.00"), True)

    collect(finance, signed, "145000", kind=PaymentKind.LOAN, receipt="L-1")
    position = money_position(signed)
    assert (position.balance_due, position.loan_received, position.settled) == (
        Decimal("0.00"), Decimal("145000.00"), True)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DISBURSED


def test_money_positions_reads_many_contracts_in_two_queries(
        consultant, customer, manager, django_assert_num_queries):
    contracts = [make_contract(consultant, customer, manager=manager,
                               status=ContractStatus.SIGNED) for _ in range(3)]
    today = contracts[0].store.today()
    with django_assert_num_queries(2):
        positions = money_positions(contracts, today=today)
    assert {p.balance_due for p in positions.values()} == {Decimal("202800.00")}


def test_a_partial_disbursement_keeps_the_loan_approved(signed, consultant, finance):
    loan = submit(consultant, signed)
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    collect(finance, signed, "100000", kind=PaymentKind.LOAN, receipt="L-1")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED
    assert money_position(signed).loan_outstanding == Decimal("45000.00")


def test_a_loan_payment_needs_an_approved_loan_and_is_capped_by_it(signed, consultant,
                                                                   finance):
    with pytest.raises(ValidationError) as refused:
        collect(finance, signed, "1000", kind=PaymentKind.LOAN)
    assert list(refused.value.message_dict) == ["kind"]
    loan = submit(consultant, signed)
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    with pytest.raises(ValidationError) as refused:
        collect(finance, signed, "150000", kind=PaymentKind.LOAN)
    assert refused.value.message_dict["amount"] == [
        "This is ¥5,000.00 more than the ¥145,000.00 of the loan still to be disbursed."]
    assert not Payment.objects.filter(contract=signed, kind=PaymentKind.LOAN).exists()


def test_approval_notifies_the_consultant_and_payments_do_too(signed, consultant, finance):
    loan = submit(consultant, signed)
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    collect(finance, signed, "1000")
    kinds = list(Notification.objects.filter(user=consultant).order_by("pk")
                 .values_list("kind", flat=True))
    # The manager's approval of the contract (arranging `signed`) comes first.
    assert kinds == [NotificationKind.CONTRACT_APPROVED, LeadEventKind.LOAN_APPROVED,
                     LeadEventKind.PAYMENT]


def test_a_decision_is_taken_once(signed, consultant, finance, manager):
    loan = submit(consultant, signed)
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    with pytest.raises(ValidationError) as refused:
        loan_decide(actor=manager, loan=loan, status=LoanStatus.REJECTED, note="太晚")
    assert "already" in refused.value.messages[0]
    loan.refresh_from_db()
    assert (loan.status, loan.decided_by) == (LoanStatus.APPROVED, finance)


def test_a_rejection_says_why_and_may_be_sent_again(signed, consultant, finance):
    loan = submit(consultant, signed)
    with pytest.raises(ValidationError) as refused:
        loan_decide(actor=finance, loan=loan, status=LoanStatus.REJECTED)
    assert list(refused.value.message_dict) == ["note"]
    loan_decide(actor=finance, loan=loan, status=LoanStatus.REJECTED, note="收入证明不足")
    assert money_position(signed).loan_expected == 0
    again = submit(consultant, signed, lender="平安银行", amount=Decimal("120000"))
    assert again.pk == loan.pk
    assert (again.status, again.lender, again.decided_at) == (LoanStatus.SUBMITTED,
                                                               "平安银行", None)
    # Created (submitted), rejected, submitted again.
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(LoanApplication),
        object_id=str(loan.pk), changes__has_key="status").count() == 3


def test_the_database_keeps_one_loan_per_contract(signed, consultant):
    loan = submit(consultant, signed)

    with pytest.raises(IntegrityError), transaction.atomic():
        LoanApplication.objects.create(
            store=loan.store, contract=signed, lender="平安银行", amount=Decimal("1000"),
            term_months=12, annual_rate=Decimal("4"), created_by=consultant)

    assert LoanApplication.objects.filter(contract=signed).count() == 1


def test_a_granted_loan_is_not_sent_again(signed, consultant, finance):
    loan = submit(consultant, signed)
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    with pytest.raises(ValidationError):
        submit(consultant, signed, amount=Decimal("1000"))
    loan.refresh_from_db()
    assert loan.amount == Decimal("145000.00")


def test_loan_fields_are_checked_and_named(signed, consultant):
    with pytest.raises(ValidationError) as refused:
        submit(consultant, signed, lender=" ", amount=Decimal("207800.01"), term_months=3,
               annual_rate=Decimal("40"), documents={"passport": True})
    assert set(refused.value.message_dict) == {"lender", "amount", "term_months",
                                               "annual_rate", "documents"}
    assert not LoanApplication.objects.exists()


def test_documents_are_ticked_and_counted(signed, consultant):
    loan = submit(consultant, signed)
    loan = loan_documents_update(actor=consultant, loan=loan, documents={
        LoanDocument.ID_CARD: True, LoanDocument.INCOME_PROOF: True})
    assert sum(loan.documents.values()) == 2
    assert set(loan.documents) == set(LoanDocument.values)


def test_who_may_apply_and_decide(signed, consultant, teammate, finance):
    with pytest.raises(PermissionDenied):
        submit(teammate, signed)  # another consultant's contract
    loan = submit(consultant, signed)
    with pytest.raises(PermissionDenied):
        loan_decide(actor=consultant, loan=loan, status=LoanStatus.APPROVED)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SUBMITTED
