"""The money screens (issue 11): finance's receivables with totals worked by hand, filters
and fixed queries; recording a payment (finance only, the overpayment's message, nothing
changed on refusal); the promised payment date; the loan and insurance forms; the
contract page's card; scoping (another store's or consultant's contract is a 404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind
from contracts.models import Contract, Payment
from dealership.enums import Role
from delivery.enums import LoanStatus
from delivery.models import InsurancePolicy, LoanApplication
from delivery.services.finance import loan_submit, payment_collect
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

RECEIVABLES = "/delivery/receivables/"


def pay_url(contract) -> str:
    return f"/delivery/orders/{contract.pk}/payments/new/"


def date_url(contract) -> str:
    return f"/delivery/orders/{contract.pk}/payment-date/"


def loan_url(contract) -> str:
    return f"/delivery/orders/{contract.pk}/loan/"


def insurance_url(contract) -> str:
    return f"/delivery/orders/{contract.pk}/insurance/new/"


@pytest.fixture
def finance(make_user):
    return english(make_user(Role.FINANCE, name="钱会计"))


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def another_signed(consultant, manager, store) -> Contract:
    return make_contract(consultant, CustomerFactory(store=store, owner=consultant),
                         manager=manager, status=ContractStatus.SIGNED)


def promise(contract, days: int) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        promised_payment_date=contract.store.today() + dt.timedelta(days=days))


def pay(finance, contract, amount, receipt):
    payment_collect(actor=finance, contract=contract, kind=PaymentKind.BALANCE,
                    channel=PaymentChannel.TRANSFER, amount=Decimal(amount),
                    receipt_number=receipt, received_at=timezone.now())


def payment_data(**overrides) -> dict[str, str]:
    data = {"kind": "balance", "channel": "transfer", "amount": "1000.00",
            "receipt_number": "B-0100",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return data


# --- Receivables --------------------------------------------------------------------------
def test_receivables_totals_worked_by_hand(login, finance, consultant, manager, store, signed):
    # A: ¥202,800 due, promised yesterday → overdue by one day.
    promise(signed, -1)
    # B: ¥100,000 paid of ¥202,800 → ¥102,800 due, promised next week.
    b = another_signed(consultant, manager, store)
    pay(finance, b, "100000", "B-1")
    promise(b, 7)
    # C: paid in full → not listed.
    c = another_signed(consultant, manager, store)
    pay(finance, c, "202800", "B-2")

    response = login(finance).get(RECEIVABLES)
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals == {"count": 2, "outstanding": Decimal("305600.00"),
                      "customer": Decimal("305600.00"), "overdue": Decimal("202800.00")}
    rows = list(response.context["rows"])
    assert [row.pk for row in rows] == [signed.pk, b.pk]  # earliest promised date first
    assert rows[0].overdue_days == 1 and rows[1].overdue_days == 0
    assert "1 day overdue" in response.content.decode()

    overdue_only = login(finance).get(RECEIVABLES, {"overdue": "on"})
    assert [row.pk for row in overdue_only.context["rows"]] == [signed.pk]
    assert overdue_only.context["totals"]["outstanding"] == Decimal("202800.00")


def test_receivables_show_the_customers_part_of_a_granted_loan(login, finance, consultant,
                                                               signed):
    loan = loan_submit(actor=consultant, contract=signed, lender="招商银行",
                       amount=Decimal("145000"), term_months=36,
                       annual_rate=Decimal("3.85"), documents={})
    LoanApplication.objects.filter(pk=loan.pk).update(status=LoanStatus.APPROVED)
    response = login(finance).get(RECEIVABLES)
    row = response.context["rows"][0]
    assert (row.m_balance, row.m_customer_due) == (Decimal("202800.00"), Decimal("57800.00"))


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.RECEPTIONIST])
def test_receivables_are_finances_and_the_managers(login, make_user, role, manager):
    assert login(make_user(role, username=f"u-{role}")).get(RECEIVABLES).status_code == 403
    assert login(manager).get(RECEIVABLES).status_code == 200


def test_receivables_show_only_the_users_store(login, finance, signed, other_store,
                                               make_user):
    stranger = make_user(Role.FINANCE, username="far", store=other_store)
    response = login(stranger).get(RECEIVABLES)
    assert list(response.context["rows"]) == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(RECEIVABLES).status_code == 200
    return len(captured)


def test_receivables_query_count_is_fixed(login, finance, consultant, manager, store, signed):
    client = login(finance)
    one = _queries(client)
    another_signed(consultant, manager, store)
    promise(another_signed(consultant, manager, store), -3)
    assert _queries(client) == one


# --- Recording a payment ------------------------------------------------------------------
def test_the_form_prefills_the_customers_part(login, finance, signed):
    response = login(finance).get(pay_url(signed))
    assert response.status_code == 200
    assert response.context["form"].initial["amount"] == Decimal("202800.00")


def test_finance_records_a_payment(login, finance, signed, consultant):
    response = login(finance).post(pay_url(signed), payment_data())
    assert response.status_code == 302
    payment = Payment.objects.get(contract=signed, kind=PaymentKind.BALANCE)
    assert (payment.amount, payment.confirmed_by) == (Decimal("1000.00"), finance)


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGER])
def test_only_finance_records_payments(login, signed, role, consultant, manager):
    user = consultant if role == Role.CONSULTANT else manager
    before = Payment.objects.count()
    assert login(user).post(pay_url(signed), payment_data()).status_code == 403
    assert Payment.objects.count() == before


def test_an_overpayment_is_refused_with_the_excess_and_the_input_kept(login, finance, signed):
    response = login(finance).post(pay_url(signed), payment_data(amount="203000"))
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "This is ¥200.00 more than the ¥202,800.00 still due."]
    assert 'value="203000"' in response.content.decode()
    assert not Payment.objects.filter(contract=signed, kind=PaymentKind.BALANCE).exists()


def test_a_future_receipt_time_is_a_field_error(login, finance, signed):
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(finance).post(pay_url(signed), payment_data(received_at=later))
    assert response.status_code == 400
    assert "received_at" in response.context["form"].errors


def test_a_receipt_number_in_use_is_a_field_error(login, finance, signed):
    deposit = Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)
    response = login(finance).post(pay_url(signed),
                                   payment_data(receipt_number=deposit.receipt_number))
    assert response.status_code == 400
    assert response.context["form"].errors["receipt_number"] == [
        "This receipt number is already in the ledger."]


def test_another_stores_contract_is_a_404(login, signed, other_store, make_user):
    stranger = make_user(Role.FINANCE, username="far", store=other_store)
    client = login(stranger)
    assert client.get(pay_url(signed)).status_code == 404
    assert client.post(pay_url(signed), payment_data()).status_code == 404
    assert client.post(date_url(signed), {"promised_payment_date": "2030-01-01"}
                       ).status_code == 404


# --- The promised payment date ------------------------------------------------------------
def test_the_manager_sets_the_payment_date(login, manager, signed):
    day = signed.store.today() + dt.timedelta(days=10)
    response = login(manager).post(date_url(signed), {
        f"c{signed.pk}-promised_payment_date": day.isoformat(), "next": RECEIVABLES})
    assert response.status_code == 302 and response.url == RECEIVABLES
    signed.refresh_from_db()
    assert signed.promised_payment_date == day


def test_a_past_payment_date_is_refused(login, finance, signed):
    day = signed.store.today() - dt.timedelta(days=1)
    response = login(finance).post(date_url(signed), {"promised_payment_date": day.isoformat()})
    assert response.status_code == 400
    assert "promised_payment_date" in response.context["form"].errors
    signed.refresh_from_db()
    assert signed.promised_payment_date is None


def test_a_consultant_may_not_set_the_payment_date(login, consultant, signed):
    day = signed.store.today().isoformat()
    assert login(consultant).post(date_url(signed),
                                  {"promised_payment_date": day}).status_code == 403


# --- The loan and insurance forms ---------------------------------------------------------
def loan_data(**overrides) -> dict:
    data = {"lender": "招商银行", "amount": "145000", "term_months": "36",
            "annual_rate": "3.85", "documents": ["id_card", "income_proof"]}
    data.update(overrides)
    return data


def test_the_consultant_applies_and_finance_approves(login, consultant, finance, signed):
    assert login(consultant).get(loan_url(signed)).status_code == 200
    assert login(consultant).post(loan_url(signed), loan_data()).status_code == 302
    loan = LoanApplication.objects.get(contract=signed)
    assert sum(loan.documents.values()) == 2
    decide = f"/delivery/loans/{loan.pk}/decide/"
    assert login(consultant).post(decide, {"status": "approved"}).status_code == 403
    assert login(finance).post(decide, {"status": "approved"}).status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED


def test_loan_errors_name_their_fields(login, consultant, signed):
    english(consultant)
    response = login(consultant).post(loan_url(signed), loan_data(amount="300000"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["amount"]
    assert not LoanApplication.objects.exists()


def test_another_consultants_contract_is_a_404(login, teammate, signed):
    client = login(teammate)
    assert client.get(loan_url(signed)).status_code == 404
    assert client.post(loan_url(signed), loan_data()).status_code == 404
    assert client.get(insurance_url(signed)).status_code == 404
    assert not LoanApplication.objects.exists()


def test_a_policy_is_recorded_and_bad_dates_are_named(login, consultant, signed):
    today = signed.store.today()
    data = {"insurer": "中国人保", "kind": "compulsory", "premium": "950",
            "policy_number": "PICC-1", "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat()}
    response = login(consultant).post(insurance_url(signed), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["ends_on"]
    data["ends_on"] = (today + dt.timedelta(days=365)).isoformat()
    assert login(consultant).post(insurance_url(signed), data).status_code == 302
    assert InsurancePolicy.objects.get().policy_number == "PICC-1"


# --- The contract page's card -------------------------------------------------------------
def test_the_contract_page_shows_the_money_card(login, consultant, signed, finance):
    english(consultant)
    body = login(consultant).get(signed.get_absolute_url()).content.decode()
    assert 'data-testid="money-panel"' in body
    assert "¥202,800.00" in body
    assert "Apply for a loan" in body
    assert 'data-testid="money-record-link"' not in body  # finance records payments
    body = login(finance).get(signed.get_absolute_url()).content.decode()
    assert 'data-testid="money-record-link"' in body


def test_a_draft_has_no_money_card(login, consultant, customer):
    draft = make_contract(consultant, customer)
    body = login(consultant).get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="money-panel"' not in body
