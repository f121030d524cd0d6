"""The ledger's money to collect (issue 11): finance records balance and loan payments,
the balance is derived (refunds included), an overpayment is refused with the excess
named, receipt numbers are unique per store, the received time has a business range, and
the promised payment date is set by finance or the manager within today..two years.

Worked by hand: the default contract is a ¥209,800 trim less a ¥2,000 discount =
¥207,800 to pay, with a ¥5,000 deposit at signing → ¥202,800 due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind
from contracts.models import Contract, Payment
from contracts.selectors.ledger import balance_due, loan_received, money_received
from contracts.services.ledger import contract_payment_date_set, payment_record
from dealership.enums import Role
from dealership.models import AuditEntry
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, name="钱会计")


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def record(actor, contract, amount, *, kind=PaymentKind.BALANCE, receipt="B-0001",
           received_at=None, channel=PaymentChannel.TRANSFER):
    return payment_record(actor=actor, contract=contract, kind=kind, channel=channel,
                          amount=Decimal(amount), receipt_number=receipt,
                          received_at=received_at or timezone.now())


def test_the_balance_is_the_amount_due_less_the_money_received_net_of_refunds(signed,
                                                                                 finance):
    assert signed.amount_due == Decimal("207800.00")
    assert balance_due(contract=signed) == Decimal("202800.00")  # the deposit
    record(finance, signed, "10000", receipt="B-1")
    # A refund row (e.g. an accessory taken off and paid back) counts against the money in.
    Payment.objects.create(store=signed.store, contract=signed, kind=PaymentKind.REFUND,
                           channel=PaymentChannel.TRANSFER, amount=Decimal("3000"),
                           receipt_number="RF-1", recorded_by=finance)
    record(finance, signed, "20000", kind=PaymentKind.LOAN, receipt="L-1")
    # 5,000 + 10,000 + 20,000 − 3,000 = 32,000 received; 207,800 − 32,000 = 175,800.
    assert money_received(contract=signed) == Decimal("32000.00")
    assert balance_due(contract=signed) == Decimal("175800.00")
    assert loan_received(contract=signed) == Decimal("20000.00")


def test_a_payment_is_recorded_and_confirmed_by_finance_at_once_and_audited(signed, finance):
    payment = record(finance, signed, "202800", receipt=" B-FULL ")
    assert (payment.kind, payment.receipt_number) == (PaymentKind.BALANCE, "B-FULL")
    assert payment.recorded_by == finance and payment.confirmed_by == finance
    assert payment.confirmed_at is not None
    assert balance_due(contract=signed) == 0
    entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(Payment),
                                   object_id=str(payment.pk))
    assert entry.changes["amount"] == [None, "202800"]


def test_an_overpayment_is_refused_naming_the_excess_and_nothing_is_written(signed, finance):
    before = Payment.objects.count()
    with pytest.raises(ValidationError) as refused:
        record(finance, signed, "202900")
    assert refused.value.message_dict == {
        "amount": ["This is ¥100.00 more than the ¥202,800.00 still due."]}
    assert Payment.objects.count() == before


def test_nothing_left_to_pay_refuses_any_amount(signed, finance):
    record(finance, signed, "202800", receipt="B-1")
    with pytest.raises(ValidationError) as refused:
        record(finance, signed, "1", receipt="B-2")
    assert refused.value.message_dict["amount"] == ["Nothing is left to pay on this contract."]


def test_a_loan_payment_is_capped_by_the_loan_limit(signed, finance):
    with pytest.raises(ValidationError) as refused:
        payment_record(actor=finance, contract=signed, kind=PaymentKind.LOAN,
                       channel=PaymentChannel.TRANSFER, amount=Decimal("150000"),
                       receipt_number="L-1", received_at=timezone.now(),
                       loan_limit=Decimal("145000"))
    assert refused.value.message_dict["amount"] == [
        "This is ¥5,000.00 more than the ¥145,000.00 of the loan still to be disbursed."]
    assert not Payment.objects.filter(kind=PaymentKind.LOAN).exists()


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGER, Role.SUPERVISOR])
def test_only_finance_records_payments(signed, make_user, role):
    with pytest.raises(PermissionDenied):
        record(make_user(role, username=f"u-{role}"), signed, "100")
    assert balance_due(contract=signed) == Decimal("202800.00")


def test_finance_of_another_store_may_not_record(signed, other_store, make_user):
    stranger = make_user(Role.FINANCE, username="far", store=other_store)
    with pytest.raises(PermissionDenied):
        record(stranger, signed, "100")


def test_a_receipt_number_is_used_once_per_store(signed, finance):
    deposit_receipt = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    with pytest.raises(ValidationError) as refused:
        record(finance, signed, "100", receipt=deposit_receipt.receipt_number)
    assert refused.value.message_dict == {
        "receipt_number": ["This receipt number is already in the ledger."]}


def test_the_required_fields_are_named(signed, finance):
    with pytest.raises(ValidationError) as refused:
        payment_record(actor=finance, contract=signed, kind=PaymentKind.DEPOSIT,
                       channel="cheque", amount=Decimal("0"), receipt_number="  ",
                       received_at=None)
    assert set(refused.value.message_dict) == {"kind", "channel", "amount", "receipt_number",
                                               "received_at"}


@pytest.mark.parametrize("offset", [dt.timedelta(hours=2), dt.timedelta(days=-3)])
def test_received_at_outside_signing_day_to_now_is_a_field_error(signed, finance, offset):
    # The contract was signed today: three days ago is before its signing day.
    with pytest.raises(ValidationError) as refused:
        record(finance, signed, "100", received_at=timezone.now() + offset)
    assert list(refused.value.message_dict) == ["received_at"]
    assert Payment.objects.filter(contract=signed).count() == 1


def test_earlier_today_is_accepted(signed, finance):
    start = signed.store.day_bounds(signed.store.today())[0]
    payment = record(finance, signed, "100", received_at=start)
    assert payment.received_at == start


def test_no_payment_on_an_unsigned_contract(consultant, customer, manager, finance):
    approved = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.APPROVED)
    with pytest.raises(ValidationError) as refused:
        record(finance, approved, "100")
    assert not hasattr(refused.value, "error_dict")
    assert not Payment.objects.filter(contract=approved).exists()


# --- The promised payment date ------------------------------------------------------------
def test_finance_or_the_manager_sets_the_payment_date_within_two_years(signed, finance,
                                                                       manager):
    today = signed.store.today()
    contract_payment_date_set(actor=finance, contract=signed, day=today)
    contract_payment_date_set(actor=manager, contract=signed,
                              day=today + dt.timedelta(days=30))
    signed.refresh_from_db()
    assert signed.promised_payment_date == today + dt.timedelta(days=30)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract), object_id=str(signed.pk),
        changes__has_key="promised_payment_date")
    assert entries.count() == 2


@pytest.mark.parametrize("days", [-1, 2 * 366 + 1])
def test_a_payment_date_out_of_range_is_a_field_error(signed, finance, days):
    with pytest.raises(ValidationError) as refused:
        contract_payment_date_set(actor=finance, contract=signed,
                                  day=signed.store.today() + dt.timedelta(days=days))
    assert list(refused.value.message_dict) == ["promised_payment_date"]
    signed.refresh_from_db()
    assert signed.promised_payment_date is None


def test_a_consultant_may_not_set_the_payment_date(signed, consultant):
    with pytest.raises(PermissionDenied):
        contract_payment_date_set(actor=consultant, contract=signed,
                                  day=signed.store.today())
