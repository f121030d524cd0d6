"""Two cashiers record a payment on one contract at the same instant (PostgreSQL): the
contract's row lock orders them, so the second sees the first's money and an overpayment
is refused; two loan disbursements can't exceed the approved loan either."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind
from contracts.models import Payment
from contracts.selectors.ledger import balance_due
from dealership.enums import Role
from delivery.enums import LoanStatus
from delivery.services.finance import loan_decide, loan_submit, payment_collect
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


@pytest.fixture
def cashiers(make_user):
    return (make_user(Role.FINANCE, name="钱会计", username="fin-a"),
            make_user(Role.FINANCE, name="孙出纳", username="fin-b"))


def collect(actor, contract, amount, receipt, kind=PaymentKind.BALANCE):
    return lambda: payment_collect(actor=actor, contract=contract, kind=kind,
                                   channel=PaymentChannel.TRANSFER, amount=Decimal(amount),
                                   receipt_number=receipt, received_at=timezone.now())


def test_two_cashiers_cannot_both_overpay(consultant, customer, manager, cashiers):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    a, b = cashiers
    # ¥202,800 due; ¥150,000 each: the second would overpay by ¥97,200.
    results = race(collect(a, contract, "150000", "B-A"), collect(b, contract, "150000", "B-B"),
                   timeout=30)
    winners = [r for r in results if isinstance(r, Payment)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].message_dict["amount"] == [
        "This is ¥97,200.00 more than the ¥52,800.00 still due."]
    assert balance_due(contract=contract) == Decimal("52800.00")


def test_two_disbursements_cannot_exceed_the_loan(consultant, customer, manager, cashiers):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    a, b = cashiers
    loan = loan_submit(actor=consultant, contract=contract, lender="招商银行",
                       amount=Decimal("145000"), term_months=36, annual_rate=Decimal("3.85"),
                       documents={})
    loan_decide(actor=a, loan=loan, status=LoanStatus.APPROVED)
    results = race(collect(a, contract, "100000", "L-A", PaymentKind.LOAN),
                   collect(b, contract, "100000", "L-B", PaymentKind.LOAN), timeout=30)
    assert sum(isinstance(r, Payment) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Payment.objects.filter(contract=contract, kind=PaymentKind.LOAN).count() == 1
