"""Dunning (issue 11 item 3): balances past their promised date are reminded to the
consultant and, with consent, to the customer through the outbox; on the first overdue
day then every seven days; idempotent (a second run writes nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind
from contracts.models import Contract
from dealership.enums import Role
from delivery.enums import LeadEventKind, LoanStatus, ReminderKind
from delivery.jobs_money import is_reminder_day, remind_overdue_balances
from delivery.models import DeliveryReminder
from delivery.services.finance import loan_decide, loan_submit, payment_collect
from leads.models import Notification, OutboundMessage
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, name="钱会计")


def overdue_contract(consultant, customer, manager, *, days: int) -> Contract:
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    # The date was promised in the past (the service refuses a past date: test setup).
    Contract.objects.filter(pk=contract.pk).update(
        promised_payment_date=contract.store.today() - dt.timedelta(days=days))
    contract.refresh_from_db()
    return contract


def notifications(user) -> int:
    return Notification.objects.filter(user=user, kind=LeadEventKind.BALANCE_OVERDUE).count()


def test_reminder_days_are_the_first_overdue_day_then_weekly():
    assert [d for d in range(0, 30) if is_reminder_day(d)] == [1, 8, 15, 22, 29]


def test_the_consultant_and_the_consenting_customer_are_reminded_once(
        consultant, customer, manager):
    customer.marketing_consent, customer.consent_at = True, timezone.now()
    customer.save(update_fields=["marketing_consent", "consent_at"])
    contract = overdue_contract(consultant, customer, manager, days=1)
    today = contract.store.today()

    assert remind_overdue_balances() == 1
    reminder = DeliveryReminder.objects.get()
    assert (reminder.contract, reminder.kind, reminder.day) == (
        contract, ReminderKind.BALANCE_OVERDUE, today)
    assert notifications(consultant) == 1
    message = OutboundMessage.objects.get()
    assert message.dedupe_key == f"balance-overdue:{contract.pk}:{today.isoformat()}"
    assert "202,800.00" in message.body

    # A second run (or a second worker) the same day writes and sends nothing.
    assert remind_overdue_balances() == 0
    assert DeliveryReminder.objects.count() == 1
    assert notifications(consultant) == 1
    assert OutboundMessage.objects.count() == 1


def test_without_consent_only_the_consultant_is_told(consultant, customer, manager):
    assert not customer.marketing_consent
    overdue_contract(consultant, customer, manager, days=8)
    assert remind_overdue_balances() == 1
    assert notifications(consultant) == 1
    assert not OutboundMessage.objects.exists()


def test_between_reminder_days_nothing_is_written(consultant, customer, manager):
    overdue_contract(consultant, customer, manager, days=2)
    assert remind_overdue_balances() == 0
    assert not DeliveryReminder.objects.exists()
    assert notifications(consultant) == 0


def test_not_yet_due_or_paid_or_covered_by_a_loan_is_not_reminded(
        consultant, customer, manager, finance, store):
    # Due today: not overdue yet.
    overdue_contract(consultant, customer, manager, days=0)
    # Paid in full.
    paid = overdue_contract(consultant, CustomerFactory(store=store, owner=consultant),
                            manager, days=1)
    payment_collect(actor=finance, contract=paid, kind=PaymentKind.BALANCE,
                    channel=PaymentChannel.CASH, amount=Decimal("202800"),
                    receipt_number="B-1", received_at=timezone.now())
    # The customer's own part paid, the rest an approved loan still to be disbursed.
    loaned = overdue_contract(consultant, CustomerFactory(store=store, owner=consultant),
                              manager, days=1)
    loan = loan_submit(actor=consultant, contract=loaned, lender="招商银行",
                       amount=Decimal("150000"), term_months=36, annual_rate=Decimal("3.5"),
                       documents={})
    loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    payment_collect(actor=finance, contract=loaned, kind=PaymentKind.BALANCE,
                    channel=PaymentChannel.CASH, amount=Decimal("52800"),
                    receipt_number="B-2", received_at=timezone.now())
    assert remind_overdue_balances() == 0
    assert not DeliveryReminder.objects.exists()
