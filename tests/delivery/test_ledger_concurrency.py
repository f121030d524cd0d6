"""Races on the payments ledger that only a real database shows (PostgreSQL): two cashiers
on one refund or one deposit, two refunds paid with the same receipt number. Each thread
has its own connection, as two web workers would."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind, RefundStatus
from contracts.models import Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from contracts.services.ledger import payment_confirm, refund_settle
from dealership.enums import Role
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract
from tests.contracts.factories_services import customer_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


@pytest.fixture
def cashiers(make_user):
    return (make_user(Role.FINANCE, name="钱会计", username="fin-a"),
            make_user(Role.FINANCE, name="孙出纳", username="fin-b"))


def refund_owed(consultant, manager) -> RefundObligation:
    contract = make_contract(consultant, customer_of(consultant), manager=manager,
                             status=ContractStatus.SIGNED)
    contract_cancel(actor=manager, contract=contract, reason="客户放弃")
    return RefundObligation.objects.get(contract=contract)


def split(results, kind):
    return ([r for r in results if isinstance(r, kind)],
            [r for r in results if isinstance(r, ValidationError)])


def test_two_cashiers_settle_one_refund_at_once_one_payment(consultant, manager, cashiers):
    refund = refund_owed(consultant, manager)
    a, b = cashiers

    results = race(
        lambda: refund_settle(actor=a, refund=refund, channel=PaymentChannel.CASH,
                              receipt_number="TK-A"),
        lambda: refund_settle(actor=b, refund=refund, channel=PaymentChannel.TRANSFER,
                              receipt_number="TK-B"),
        timeout=30)

    winners, losers = split(results, RefundObligation)
    assert (len(winners), len(losers)) == (1, 1)
    refund.refresh_from_db()
    assert (refund.status, refund.settled_by) == (RefundStatus.PAID, winners[0].settled_by)
    assert losers[0].messages[0].startswith(
        f"This refund was already paid by {refund.settled_by.name} at ")
    [payment] = Payment.objects.filter(kind=PaymentKind.REFUND)
    assert (payment.contract_id, payment.recorded_by) == (refund.contract_id,
                                                          refund.settled_by)


def test_two_refunds_paid_with_one_receipt_number_at_once_one_wins(consultant, manager,
                                                                   cashiers):
    first, second = refund_owed(consultant, manager), refund_owed(consultant, manager)
    a, b = cashiers

    # Both usually check the ledger before either has written the receipt: then the
    # database's unique receipt number stops the second, in its savepoint.
    results = race(
        lambda: refund_settle(actor=a, refund=first, channel=PaymentChannel.CASH,
                              receipt_number="TK-SAME"),
        lambda: refund_settle(actor=b, refund=second, channel=PaymentChannel.CASH,
                              receipt_number="TK-SAME"),
        timeout=30)

    winners, losers = split(results, RefundObligation)
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].message_dict == {"receipt_number": [
        "This receipt number is already in the ledger."]}
    statuses = dict(RefundObligation.objects.values_list("pk", "status"))
    loser = ({first.pk, second.pk} - {winners[0].pk}).pop()
    assert statuses == {winners[0].pk: RefundStatus.PAID, loser: RefundStatus.DUE}
    assert list(Payment.objects.filter(kind=PaymentKind.REFUND)
                .values_list("contract__refund_obligation", flat=True)) == [winners[0].pk]


def test_two_cashiers_confirm_one_deposit_at_once_one_confirmation(consultant, customer,
                                                                   manager, cashiers):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    deposit = Payment.objects.get(contract=contract, kind=PaymentKind.DEPOSIT)
    a, b = cashiers

    results = race(lambda: payment_confirm(actor=a, payment=deposit),
                   lambda: payment_confirm(actor=b, payment=deposit), timeout=30)

    winners, losers = split(results, Payment)
    assert (len(winners), len(losers)) == (1, 1)
    deposit.refresh_from_db()
    assert (deposit.confirmed_by, deposit.confirmed_at) == (winners[0].confirmed_by,
                                                            winners[0].confirmed_at)
    assert losers[0].messages[0].startswith(
        f"This payment was already confirmed by {deposit.confirmed_by.name} at ")
