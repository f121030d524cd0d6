"""The ledger's services as the contracts stage calls them: the deposit recorded at
signing and the refund opened by a cancellation, who may, and what a refusal leaves
unchanged. Finance's confirmations and settlements are tested with the finance desk
(tests/delivery)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind
from contracts.models import Payment, RefundObligation
from contracts.selectors.ledger import money_received
from contracts.services.ledger import payment_record_deposit, refund_obligation_open
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def approved(consultant, customer, manager):
    """An approved contract with a ¥5,000 deposit to take at signing."""
    return make_contract(consultant, customer, manager=manager,
                         status=ContractStatus.APPROVED)


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def test_deposit_is_recorded_for_finance_to_confirm(consultant, approved):
    moment = timezone.now()

    payment = payment_record_deposit(actor=consultant, contract=approved,
                                     channel=PaymentChannel.CARD, receipt_number="POS-7",
                                     received_at=moment)

    assert Payment.objects.filter(contract=approved).get() == payment
    assert (payment.store_id, payment.kind, payment.channel, payment.amount,
            payment.receipt_number, payment.received_at, payment.recorded_by,
            payment.confirmed_at) == (
        approved.store_id, PaymentKind.DEPOSIT, PaymentChannel.CARD, D("5000.00"), "POS-7",
        moment, consultant, None)


def test_deposit_with_a_receipt_number_already_in_the_ledger_is_refused(consultant, signed,
                                                                        approved):
    taken = Payment.objects.get(contract=signed).receipt_number

    with pytest.raises(ValidationError) as excinfo:
        payment_record_deposit(actor=consultant, contract=approved,
                               channel=PaymentChannel.CASH, receipt_number=taken,
                               received_at=timezone.now())

    assert excinfo.value.message_dict == {
        "receipt_number": ["This receipt number is already in the ledger."]}
    assert not Payment.objects.filter(contract=approved).exists()


def test_deposit_by_an_unknown_channel_is_a_programming_error(consultant, approved):
    with pytest.raises(ValueError, match="unknown payment channel: 'gold'"):
        payment_record_deposit(actor=consultant, contract=approved, channel="gold",
                               receipt_number="G-1", received_at=timezone.now())

    assert not Payment.objects.filter(contract=approved).exists()


def test_deposit_is_refused_to_an_outsider(outsider, approved):
    with pytest.raises(PermissionDenied):
        payment_record_deposit(actor=outsider, contract=approved, channel=PaymentChannel.CASH,
                               receipt_number="X-1", received_at=timezone.now())

    assert not Payment.objects.filter(contract=approved).exists()


def test_refund_is_opened_for_what_was_received(manager, signed):
    refund = refund_obligation_open(actor=manager, contract=signed, amount=D("5000.00"),
                                    reason="客户放弃")

    assert RefundObligation.objects.get(contract=signed) == refund
    assert (refund.store_id, refund.amount, refund.reason, refund.status,
            refund.created_by) == (signed.store_id, D("5000.00"), "客户放弃", "due", manager)


def test_refund_on_a_signed_contract_is_refused_to_its_consultant(consultant, signed):
    with pytest.raises(PermissionDenied):
        refund_obligation_open(actor=consultant, contract=signed, amount=D("5000.00"),
                               reason="客户放弃")

    assert not RefundObligation.objects.filter(contract=signed).exists()


def test_money_received_is_net_of_refunds(consultant, signed):
    Payment.objects.create(store=signed.store, contract=signed, kind=PaymentKind.REFUND,
                           channel=PaymentChannel.TRANSFER, amount=D("1200.50"),
                           receipt_number="TK-9", recorded_by=consultant)

    assert money_received(contract=signed) == D("5000.00") - D("1200.50")
