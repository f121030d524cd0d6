"""Contract services: every transition of DESIGN §2 (draft → in_review → approved | back to
draft → signed → delivered → closed; cancelled before delivered), every refusal, signing
(number, deposit, PDF, lead) and the gapless numbering per store and year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.enums import (
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    LeadEventKind,
    PaymentChannel,
    PaymentKind,
    PaymentPlan,
    QuoteStatus,
    RefundStatus,
)
from contracts.models import (
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
    Payment,
    Quote,
    RefundObligation,
)
from contracts.services import contracts as services
from contracts.services import ledger
from dealership.enums import AuditAction, Role
from leads.enums import LeadStatus, LostReason
from leads.models import LeadEvent
from tests.contracts.factories import (
    AccessoryFactory,
    ValuePackageFactory,
    approved_quote,
    make_contract,
    make_quote,
    pay_the_balance,
    pending_approval,
)
from tests.contracts.factories_services import audit_rows, customer_of, expire
from tests.factories import ColourFactory, CustomerFactory, StoreFactory, TrimFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

S = ContractStatus
LABELS = {S.DRAFT: "Draft", S.IN_REVIEW: "In review", S.APPROVED: "Approved",
          S.SIGNED: "Signed", S.DELIVERED: "Delivered", S.CLOSED: "Closed",
          S.CANCELLED: "Cancelled"}


@pytest.fixture
def contract_in(consultant, customer, manager):
    """A contract of the consultant's customer (¥209,800 − ¥2,000, deposit ¥5,000) driven
    through the real transitions up to `status`."""
    def make(status=S.DRAFT, **kwargs):
        return make_contract(consultant, customer, manager=manager, status=status, **kwargs)

    return make


def sign(actor, contract, receipt="", **kwargs):
    kwargs.setdefault("deposit_channel", PaymentChannel.WECHAT)
    return services.contract_sign(actor=actor, contract=contract, customer_signed=True,
                                  receipt_number=receipt or f"RCPT-{contract.pk}", **kwargs)


def status_changes(contract) -> list[list[str]]:
    return [e.changes["status"] for e in audit_rows(contract, action=AuditAction.UPDATE)
            if "status" in e.changes]


def event_kinds(contract) -> list[str]:
    return list(ContractEvent.objects.filter(contract=contract).order_by("id")
                .values_list("kind", flat=True))


def frozen_at(monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


# --- Draft --------------------------------------------------------------------------------
def test_draft_copies_buyer_vehicle_and_price_and_contracts_the_quote(store, consultant,
                                                                      customer):
    trim = TrimFactory(name="2.5 旗舰版")
    colour = ColourFactory(series=trim.series, name="铂金白", surcharge=D("2000"))
    mats = AccessoryFactory(store=store, name="脚垫", price=D("800"))
    wash = ValuePackageFactory(store=store, name="洗车券")
    quote = approved_quote(
        consultant, customer, discount=D("2500"), trim=trim, colour=colour,
        accessories=[(mats, 2)], packages=[wash], insurance_estimate=D("6000"), fees=D("500"),
        payment_plan=PaymentPlan.LOAN, down_payment=D("80000"), loan_term_months=36,
        loan_annual_rate=D("3.5"))
    version = quote.current_version

    contract = services.contract_draft(actor=consultant, quote=quote)

    contract.refresh_from_db()
    assert (contract.status, contract.number, contract.store, contract.quote_version,
            contract.consultant, contract.created_by) == (
        S.DRAFT, "", store, version, consultant, consultant)
    assert (contract.buyer_name, contract.buyer_id_number, contract.buyer_phone,
            contract.buyer_address) == ("张三丰", "11010519491231002X", "+8613812345678", "")
    assert (contract.vehicle_description, contract.colour_name, contract.configuration) == (
        "丰田 凯美瑞 2025 2.5 旗舰版", "铂金白", f"脚垫 ×2\n{wash.name}")
    # 209,800 + 2,000 − 2,500 + 1,600 + 0 + 6,000 + 500 = 217,400; 137,400 financed.
    # P·r / (1 − (1 + r)^−n), r = 3.5 % / 12, n = 36: 4,026.1057…, 4,026.11 half-up.
    assert (contract.list_price, contract.discount, contract.accessories_total,
            contract.total_price, contract.amount_due, contract.payment_plan,
            contract.down_payment, contract.loan_principal, contract.loan_term_months,
            contract.loan_annual_rate, contract.monthly_payment) == (
        D("211800.00"), D("2500.00"), D("1600.00"), D("217400.00"), D("217400.00"),
        PaymentPlan.LOAN, D("80000.00"), D("137400.00"), 36, D("3.50"), D("4026.11"))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONTRACTED
    [*_, contracted] = audit_rows(quote, action=AuditAction.UPDATE)
    assert (contracted.actor, contracted.changes) == (
        consultant, {"status": ["approved", "contracted"]})
    [created] = audit_rows(contract, action=AuditAction.CREATE)
    assert (created.actor, created.changes["status"], created.changes["buyer_phone"]) == (
        consultant, [None, "draft"], [None, "138****5678"])
    [event] = ContractEvent.objects.filter(contract=contract)
    assert (event.kind, event.actor, event.note) == (
        ContractEventKind.CREATED, consultant, f"From quote {quote.number} v1")


def test_draft_is_a_snapshot(consultant, customer, contract_in):
    contract = contract_in(complete=False)

    customer.name, customer.address = "张三", "北京市朝阳区1号"
    customer.save()

    contract.refresh_from_db()
    assert (contract.buyer_name, contract.buyer_address) == ("张三丰", "")


@pytest.mark.parametrize(("setup", "label"), [
    ("pending", "Awaiting approval"), ("rejected", "Rejected"), ("withdrawn", "Withdrawn")])
def test_draft_from_a_quote_not_approved_is_refused(consultant, supervisor, customer, setup,
                                                    label):
    quote = make_quote(consultant, customer, discount="5000")
    if setup == "rejected":
        from contracts.services.quotes import approval_decide

        approval_decide(actor=supervisor, approval=pending_approval(quote), decision="reject",
                        comment="太多")
    elif setup == "withdrawn":
        from contracts.services.quotes import quote_withdraw

        quote_withdraw(actor=consultant, quote=quote, reason="客户放弃")

    with pytest.raises(ValidationError) as excinfo:
        services.contract_draft(actor=consultant, quote=quote)

    assert excinfo.value.messages == [
        f"Only an approved quote becomes a contract; this one is {label}."]
    assert Contract.objects.count() == 0


def test_draft_from_an_expired_quote_is_refused(consultant, customer):
    quote = expire(approved_quote(consultant, customer))

    with pytest.raises(ValidationError) as excinfo:
        services.contract_draft(actor=consultant, quote=quote)

    assert excinfo.value.messages == [
        f"This quote expired on {quote.valid_until:%Y-%m-%d}; save a new version first."]
    quote.refresh_from_db()
    assert (quote.status, Contract.objects.count()) == (QuoteStatus.APPROVED, 0)


def test_draft_on_the_last_valid_day_is_accepted(consultant, customer):
    quote = expire(approved_quote(consultant, customer), days_ago=0)

    contract = services.contract_draft(actor=consultant, quote=quote)

    assert contract.status == S.DRAFT


def test_second_live_contract_for_the_same_quote_is_refused(consultant, customer):
    quote = approved_quote(consultant, customer)
    services.contract_draft(actor=consultant, quote=quote)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_draft(actor=consultant, quote=quote)

    assert excinfo.value.messages == [
        "Only an approved quote becomes a contract; this one is Contract drafted."]
    assert Contract.objects.filter(quote=quote).count() == 1


def test_cancelled_unsigned_contract_frees_the_quote(consultant, customer, contract_in):
    first = contract_in(S.IN_REVIEW)
    services.contract_cancel(actor=consultant, contract=first, reason="客户要换车型")
    quote = Quote.objects.get(pk=first.quote_id)
    assert quote.status == QuoteStatus.APPROVED

    second = services.contract_draft(actor=consultant, quote=quote)

    assert (second.quote, second.status) == (quote, S.DRAFT)
    assert sorted(Contract.objects.filter(quote=quote).values_list("status", flat=True)) == [
        S.CANCELLED, S.DRAFT]


def test_teammate_cannot_draft_from_anothers_quote(consultant, teammate, customer):
    quote = approved_quote(consultant, customer)

    with pytest.raises(PermissionDenied):
        services.contract_draft(actor=teammate, quote=quote)


# --- Edit the draft -----------------------------------------------------------------------
def test_update_normalises_and_records_what_changed(consultant, contract_in, store):
    contract = contract_in(complete=False)
    day = store.today() + dt.timedelta(days=10)

    updated = services.contract_update(
        actor=consultant, contract=contract, buyer_phone="139 1234 5678",
        buyer_id_number=" 11010519491231002x ", buyer_address=" 深圳市福田区1号 ",
        deposit_amount=D("3000.00"), promised_delivery_date=day, extra_terms="赠送贴膜")

    updated.refresh_from_db()
    assert (updated.buyer_phone, updated.buyer_id_number, updated.buyer_address,
            updated.deposit_amount, updated.promised_delivery_date, updated.extra_terms) == (
        "+8613912345678", "11010519491231002X", "深圳市福田区1号", D("3000.00"), day,
        "赠送贴膜")
    [entry] = audit_rows(contract, action=AuditAction.UPDATE)
    assert entry.changes["buyer_phone"] == ["138****5678", "139****5678"]
    assert entry.changes["deposit_amount"] == ["0.00", "3000.00"]
    assert event_kinds(contract) == [ContractEventKind.CREATED, ContractEventKind.EDITED]


def test_update_changing_nothing_writes_no_event(consultant, contract_in):
    contract = contract_in()

    services.contract_update(actor=consultant, contract=contract,
                             buyer_name=contract.buyer_name)

    assert event_kinds(contract) == [ContractEventKind.CREATED, ContractEventKind.EDITED]


def test_deposit_up_to_20_percent_is_accepted(consultant, contract_in):
    contract = contract_in(complete=False)  # 207,800 → at most 41,560.00

    updated = services.contract_update(actor=consultant, contract=contract,
                                       deposit_amount=D("41560"))

    assert updated.deposit_amount == D("41560")


@pytest.mark.parametrize(("deposit", "message"), [
    (D("41560.01"), "A deposit may be at most 20 % of the contract amount (¥41,560.00)."),
    (D("-1"), "Enter a deposit of zero or more."),
    (None, "Enter a deposit of zero or more."),
])
def test_deposit_out_of_range_is_refused(consultant, contract_in, deposit, message):
    contract = contract_in(complete=False)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_update(actor=consultant, contract=contract, deposit_amount=deposit)

    assert excinfo.value.message_dict == {"deposit_amount": [message]}
    contract.refresh_from_db()
    assert contract.deposit_amount == D("0.00")


def test_update_refuses_bad_phone_id_number_name_and_past_date(consultant, contract_in, store):
    contract = contract_in(complete=False)

    with pytest.raises(ValidationError) as phone:
        services.contract_update(actor=consultant, contract=contract, buyer_phone="12345")
    with pytest.raises(ValidationError) as others:
        services.contract_update(
            actor=consultant, contract=contract, buyer_name=" ",
            buyer_id_number="110105194912310021",
            promised_delivery_date=store.today() - dt.timedelta(days=1))

    assert list(phone.value.message_dict) == ["buyer_phone"]
    assert others.value.message_dict == {
        "buyer_name": ["Enter the buyer's name."],
        "buyer_id_number": ["The ID number's check digit is wrong; please check it again."],
        "promised_delivery_date": ["The promised delivery date is in the past."]}


def test_update_of_a_field_that_is_not_editable_is_a_programming_error(consultant,
                                                                       contract_in):
    contract = contract_in()

    with pytest.raises(ValueError, match="not editable: \\['discount'\\]"):
        services.contract_update(actor=consultant, contract=contract, discount=D("1"))


# --- The whole way ------------------------------------------------------------------------
def test_happy_path_draft_review_approve_sign_deliver_close(store, consultant, customer,
                                                            manager):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.NEGOTIATING)
    contract = make_contract(consultant, customer, manager=manager, lead=lead)

    submitted = services.contract_submit(actor=consultant, contract=contract)
    assert (submitted.status, submitted.submitted_at is not None) == (S.IN_REVIEW, True)

    approved = services.contract_approve(actor=manager, contract=contract, comment=" 同意 ")
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by) == (S.APPROVED, manager)

    signed = sign(consultant, contract, receipt="WX-0001")
    signed.refresh_from_db()
    year = store.today().year
    assert (signed.status, signed.number, signed.year, signed.sequence, signed.signed_by) == (
        S.SIGNED, f"DEMO-{year}-000001", year, 1, consultant)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON

    delivered = services.contract_mark_delivered(actor=consultant, contract=contract)
    assert (delivered.status, delivered.delivered_at is not None) == (S.DELIVERED, True)

    pay_the_balance(contract)
    closed = services.contract_close(actor=manager, contract=contract)
    closed.refresh_from_db()
    assert (closed.status, closed.closed_at is not None, closed.number) == (
        S.CLOSED, True, f"DEMO-{year}-000001")
    assert status_changes(contract) == [["draft", "in_review"], ["in_review", "approved"],
                                        ["approved", "signed"], ["signed", "delivered"],
                                        ["delivered", "closed"]]
    assert event_kinds(contract) == [
        ContractEventKind.CREATED, ContractEventKind.EDITED, ContractEventKind.SUBMITTED,
        ContractEventKind.APPROVED, ContractEventKind.SIGNED, ContractEventKind.DEPOSIT,
        ContractEventKind.DELIVERED, ContractEventKind.CLOSED]
    approval_audit = audit_rows(contract, action=AuditAction.UPDATE)[2]
    assert (approval_audit.actor, approval_audit.reason) == (manager, "同意")


def test_finance_may_close_a_delivered_contract(make_user, contract_in):
    finance = make_user(Role.FINANCE)
    contract = contract_in(S.DELIVERED)

    closed = services.contract_close(actor=finance, contract=contract)

    assert closed.status == S.CLOSED
    assert audit_rows(contract, action=AuditAction.UPDATE)[-1].actor == finance


def test_close_is_refused_while_anything_is_still_to_be_paid(store, contract_in, manager):
    contract = contract_in(S.DELIVERED, paid=False)
    # Finance takes all but ¥1,234.50 of what is left after the ¥5,000 deposit.
    finance = UserFactory(role=Role.FINANCE, store=store)
    ledger.payment_record(
        actor=finance, contract=contract, kind=PaymentKind.BALANCE,
        channel=PaymentChannel.TRANSFER, amount=contract.amount_due - D("5000") - D("1234.50"),
        receipt_number="B-1", received_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.contract_close(actor=manager, contract=contract)

    assert "¥1,234.50" in refused.value.messages[0]
    contract.refresh_from_db()
    assert (contract.status, contract.closed_at) == (S.DELIVERED, None)


# --- Review -------------------------------------------------------------------------------
def test_submit_an_incomplete_contract_names_the_missing_fields(store, consultant):
    customer = customer_of(consultant, name="李四")  # no ID number, no address
    contract = make_contract(consultant, customer, complete=False)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_submit(actor=consultant, contract=contract)

    assert excinfo.value.message_dict == {
        "buyer_id_number": ["A contract needs the buyer's ID number."],
        "buyer_address": ["A contract needs the buyer's address."],
        "promised_delivery_date": ["Promise a delivery date."]}
    contract.refresh_from_db()
    assert contract.status == S.DRAFT


def test_submit_with_a_delivery_date_now_past_is_refused(consultant, contract_in, store):
    contract = contract_in()
    Contract.objects.filter(pk=contract.pk).update(
        promised_delivery_date=store.today() - dt.timedelta(days=1))

    with pytest.raises(ValidationError) as excinfo:
        services.contract_submit(actor=consultant, contract=contract)

    assert excinfo.value.message_dict == {
        "promised_delivery_date": ["The promised delivery date is in the past."]}


def test_reject_sends_back_to_draft_with_the_reason(consultant, manager, contract_in):
    contract = contract_in(S.IN_REVIEW)

    rejected = services.contract_reject(actor=manager, contract=contract, reason=" 地址不全 ")

    rejected.refresh_from_db()
    assert (rejected.status, rejected.rejection_reason, rejected.reviewed_by) == (
        S.DRAFT, "地址不全", manager)
    [*_, last] = audit_rows(contract, action=AuditAction.UPDATE)
    assert (last.changes, last.reason) == ({"status": ["in_review", "draft"]}, "地址不全")
    event = ContractEvent.objects.filter(contract=contract).latest("id")
    assert (event.kind, event.note) == (ContractEventKind.REJECTED, "地址不全")
    # Sent again: the old reason is cleared.
    again = services.contract_submit(actor=consultant, contract=contract)
    again.refresh_from_db()
    assert (again.status, again.rejection_reason) == (S.IN_REVIEW, "")


def test_reject_needs_a_reason(manager, contract_in):
    contract = contract_in(S.IN_REVIEW)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_reject(actor=manager, contract=contract, reason="  ")

    assert excinfo.value.message_dict == {"reason": [
        "Say what must change before it can be approved."]}
    contract.refresh_from_db()
    assert contract.status == S.IN_REVIEW


# --- Signing ------------------------------------------------------------------------------
def test_sign_records_who_when_number_deposit_document_and_audit(store, consultant,
                                                                 contract_in):
    contract = contract_in(S.APPROVED)
    before = timezone.now()

    signed = sign(consultant, contract, receipt=" WX-20260001 ", language="zh-hans")

    signed.refresh_from_db()
    year = store.today().year
    assert (signed.status, signed.signed_by, signed.number) == (
        S.SIGNED, consultant, f"DEMO-{year}-000001")
    assert before <= signed.signed_at <= timezone.now()
    [payment] = Payment.objects.filter(contract=contract)
    assert (payment.kind, payment.channel, payment.amount, payment.receipt_number,
            payment.received_at, payment.recorded_by, payment.confirmed_by,
            payment.confirmed_at, payment.store) == (
        PaymentKind.DEPOSIT, PaymentChannel.WECHAT, D("5000.00"), "WX-20260001",
        signed.signed_at, consultant, None, None, store)
    document = ContractDocument.objects.get(contract=contract)
    assert (document.status, document.language, document.sha256, document.file.name,
            document.store) == (DocumentStatus.PENDING, "zh-hans", "", "", store)
    events = list(ContractEvent.objects.filter(contract=contract).order_by("id"))[-2:]
    assert [(e.kind, e.note, e.store) for e in events] == [
        (ContractEventKind.SIGNED, f"DEMO-{year}-000001", store),
        (ContractEventKind.DEPOSIT, "¥5,000.00 · WX-20260001", store)]
    assert status_changes(contract)[-1] == ["approved", "signed"]
    assert ContractSequence.objects.get(store=store, year=year).last == 1


def test_sign_document_language_defaults_to_the_active_one(consultant, contract_in):
    contract = contract_in(S.APPROVED)

    sign(consultant, contract)

    assert ContractDocument.objects.get(contract=contract).language == "en"


def test_sign_without_a_deposit_needs_no_receipt(consultant, contract_in):
    contract = contract_in(S.APPROVED, deposit=D("0"))

    signed = services.contract_sign(actor=consultant, contract=contract, customer_signed=True)

    assert signed.status == S.SIGNED
    assert Payment.objects.filter(contract=contract).count() == 0
    assert event_kinds(contract)[-1] == ContractEventKind.SIGNED


def test_sign_needs_the_customers_signature(consultant, contract_in):
    contract = contract_in(S.APPROVED)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_sign(actor=consultant, contract=contract, customer_signed=False,
                               deposit_channel=PaymentChannel.CASH, receipt_number="R1")

    assert excinfo.value.message_dict == {"customer_signed": [
        "Confirm that the customer has signed."]}
    contract.refresh_from_db()
    assert (contract.status, contract.number) == (S.APPROVED, "")


def test_sign_with_a_deposit_needs_channel_and_receipt(consultant, contract_in):
    contract = contract_in(S.APPROVED)

    with pytest.raises(ValidationError) as excinfo:
        services.contract_sign(actor=consultant, contract=contract, customer_signed=True,
                               deposit_channel="cheque", receipt_number=" ")

    assert excinfo.value.message_dict == {
        "deposit_channel": ["How was the deposit paid?"],
        "receipt_number": ["Enter the deposit's receipt number."]}
    assert ContractSequence.objects.count() == 0


def test_refused_signing_gives_no_number_away(store, consultant, contract_in):
    first = contract_in(S.APPROVED)
    second = contract_in(S.APPROVED)
    sign(consultant, first, receipt="R-1")

    with pytest.raises(ValidationError) as excinfo:
        sign(consultant, second, receipt="R-1")
    signed = sign(consultant, second, receipt="R-2")

    assert excinfo.value.message_dict == {"receipt_number": [
        "This receipt number is already in the ledger."]}
    assert signed.number == f"DEMO-{store.today().year}-000002"


def test_signing_rolled_back_after_taking_a_number_gives_it_back(store, consultant,
                                                                 contract_in):
    first = contract_in(S.APPROVED)
    second = contract_in(S.APPROVED)

    with pytest.raises(RuntimeError, match="printer jammed"), transaction.atomic():
        taken = sign(consultant, first, receipt="R-1")
        assert taken.number == f"DEMO-{store.today().year}-000001"
        raise RuntimeError("printer jammed")

    first.refresh_from_db()
    assert (first.status, first.number, first.sequence) == (S.APPROVED, "", None)
    assert Payment.objects.count() == 0
    year = store.today().year
    assert sign(consultant, second, receipt="R-2").number == f"DEMO-{year}-000001"
    assert sign(consultant, first, receipt="R-1").number == f"DEMO-{year}-000002"


def test_sign_wins_the_open_lead_and_writes_on_it(store, consultant, customer, manager):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.NEGOTIATING)
    contract = make_contract(consultant, customer, manager=manager, status=S.APPROVED,
                             lead=lead)

    signed = sign(consultant, contract)

    lead.refresh_from_db()
    assert (lead.status, lead.closed_at is not None) == (LeadStatus.WON, True)
    event = LeadEvent.objects.get(lead=lead, kind=LeadEventKind.CONTRACT)
    assert (event.actor, event.note, event.data) == (
        consultant, f"Contract {signed.number} signed", {"contract": contract.pk})


def test_sign_leaves_a_closed_lead_as_it_is(store, consultant, customer, manager):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    contract = make_contract(consultant, customer, manager=manager, status=S.APPROVED,
                             lead=lead)
    type(lead).objects.filter(pk=lead.pk).update(status=LeadStatus.LOST,
                                                  lost_reason=LostReason.PRICE)

    sign(consultant, contract)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST
    assert LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.CONTRACT).count() == 1


def test_supervisor_may_sign_their_consultants_contract(supervisor, contract_in):
    contract = contract_in(S.APPROVED)

    signed = sign(supervisor, contract)

    assert (signed.status, signed.signed_by) == (S.SIGNED, supervisor)


# --- Numbering ----------------------------------------------------------------------------
SHANGHAI_NEW_YEAR = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 2027-01-01 00:30 local


def test_number_uses_the_store_local_year(monkeypatch, store, consultant, contract_in):
    contract = contract_in(S.APPROVED)
    frozen_at(monkeypatch, SHANGHAI_NEW_YEAR)

    signed = sign(consultant, contract)

    assert (signed.number, signed.year, signed.sequence) == ("DEMO-2027-000001", 2027, 1)


def test_number_of_a_store_behind_utc_keeps_the_old_year(monkeypatch, other_store, outsider):
    other_store.timezone = "America/Los_Angeles"
    other_store.save()
    manager = UserFactory(username="mgr-la", role=Role.MANAGER, store=other_store)
    contract = make_contract(outsider, customer_of(outsider), manager=manager,
                             status=S.APPROVED)
    # 2027-01-01 03:00 UTC is still New Year's Eve in Los Angeles.
    frozen_at(monkeypatch, dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC))

    signed = sign(outsider, contract)

    assert signed.number == "OTHER-2026-000001"


def test_numbers_restart_each_year_and_are_independent_per_store(
        monkeypatch, store, consultant, contract_in, other_store, outsider):
    other_manager = UserFactory(username="mgr-other", role=Role.MANAGER, store=other_store)
    contracts = [contract_in(S.APPROVED) for _ in range(3)]
    theirs = make_contract(outsider, customer_of(outsider), manager=other_manager,
                           status=S.APPROVED)

    frozen_at(monkeypatch, dt.datetime(2026, 12, 31, 10, 0, tzinfo=dt.UTC))  # 18:00 local
    numbers = [sign(consultant, contracts[0]).number, sign(consultant, contracts[1]).number]
    frozen_at(monkeypatch, SHANGHAI_NEW_YEAR)
    numbers += [sign(consultant, contracts[2]).number, sign(outsider, theirs).number]

    assert numbers == ["DEMO-2026-000001", "DEMO-2026-000002", "DEMO-2027-000001",
                       "OTHER-2027-000001"]
    assert sorted(ContractSequence.objects.values_list("store__code", "year", "last")) == [
        ("DEMO", 2026, 2), ("DEMO", 2027, 1), ("OTHER", 2027, 1)]


def test_numbers_continue_from_the_stores_counter(store, consultant, contract_in):
    year = store.today().year
    ContractSequence.objects.create(store=store, year=year, last=122)
    ContractSequence.objects.create(store=store, year=year - 1, last=900)

    signed = sign(consultant, contract_in(S.APPROVED))

    assert signed.number == f"DEMO-{year}-000123"


# --- Cancel -------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.APPROVED])
def test_consultant_cancels_an_unsigned_contract_and_the_quote_is_free_again(
        consultant, contract_in, status):
    contract = contract_in(status)

    cancelled = services.contract_cancel(actor=consultant, contract=contract,
                                         reason=" 客户改变主意 ")

    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason,
            cancelled.number) == (S.CANCELLED, consultant, "客户改变主意", "")
    assert cancelled.cancelled_at is not None
    quote = Quote.objects.get(pk=contract.quote_id)
    assert quote.status == QuoteStatus.APPROVED
    [*_, given_back] = audit_rows(quote, action=AuditAction.UPDATE)
    assert (given_back.actor, given_back.changes, given_back.reason) == (
        consultant, {"status": ["contracted", "approved"]}, "客户改变主意")
    assert RefundObligation.objects.count() == 0
    [*_, last] = audit_rows(contract, action=AuditAction.UPDATE)
    assert (last.changes, last.reason) == ({"status": [status, "cancelled"]}, "客户改变主意")
    event = ContractEvent.objects.filter(contract=contract).latest("id")
    assert (event.kind, event.note) == (ContractEventKind.CANCELLED, "客户改变主意")


def test_manager_cancels_a_signed_contract_and_a_refund_is_owed(store, consultant, manager,
                                                                contract_in):
    contract = contract_in(S.SIGNED)
    number = contract.number

    cancelled = services.contract_cancel(actor=manager, contract=contract, reason="客户放弃")

    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.number, cancelled.cancelled_by) == (
        S.CANCELLED, number, manager)
    refund = RefundObligation.objects.get(contract=contract)
    assert (refund.store, refund.amount, refund.reason, refund.status, refund.created_by) == (
        store, D("5000.00"), "客户放弃", RefundStatus.DUE, manager)
    quote = Quote.objects.get(pk=contract.quote_id)
    assert quote.status == QuoteStatus.WITHDRAWN
    [*_, withdrawn] = audit_rows(quote, action=AuditAction.UPDATE)
    assert (withdrawn.actor, withdrawn.changes) == (
        manager, {"status": ["contracted", "withdrawn"]})
    event = ContractEvent.objects.filter(contract=contract).latest("id")
    assert event.note == "客户放弃 — ¥5,000.00 to refund"
    assert status_changes(contract)[-1] == ["signed", "cancelled"]


def test_cancelling_a_signed_contract_without_a_deposit_owes_nothing(manager, contract_in):
    contract = contract_in(S.SIGNED, deposit=D("0"))

    services.contract_cancel(actor=manager, contract=contract, reason="客户放弃")

    assert RefundObligation.objects.count() == 0


def test_refund_owed_is_net_of_refunds_already_paid(manager, consultant, contract_in):
    contract = contract_in(S.SIGNED)
    Payment.objects.create(store=contract.store, contract=contract, kind=PaymentKind.REFUND,
                           channel=PaymentChannel.WECHAT, amount=D("1500"),
                           recorded_by=consultant)

    services.contract_cancel(actor=manager, contract=contract, reason="部分退款后取消")

    assert RefundObligation.objects.get(contract=contract).amount == D("3500.00")


def test_cancel_needs_a_reason(consultant, contract_in):
    contract = contract_in()

    with pytest.raises(ValidationError) as excinfo:
        services.contract_cancel(actor=consultant, contract=contract, reason=" ")

    assert excinfo.value.message_dict == {"reason": ["Say why the contract is cancelled."]}


@pytest.mark.parametrize("who", ["consultant", "supervisor"])
def test_only_the_manager_cancels_a_signed_contract(request, contract_in, who):
    contract = contract_in(S.SIGNED)

    with pytest.raises(PermissionDenied):
        services.contract_cancel(actor=request.getfixturevalue(who), contract=contract,
                                 reason="客户放弃")
    contract.refresh_from_db()
    assert contract.status == S.SIGNED


def test_consultant_with_a_stale_copy_cannot_cancel_a_signed_contract(consultant, contract_in):
    contract = contract_in(S.APPROVED)
    stale = Contract.objects.get(pk=contract.pk)
    sign(consultant, contract)

    with pytest.raises(PermissionDenied):
        services.contract_cancel(actor=consultant, contract=stale, reason="客户放弃")
    assert Contract.objects.get(pk=contract.pk).status == S.SIGNED


# --- Every refused state ------------------------------------------------------------------
def _call(name, contract, people):
    consultant, manager = people["consultant"], people["manager"]
    calls = {
        "update": lambda: services.contract_update(actor=consultant, contract=contract,
                                                   extra_terms="改"),
        "submit": lambda: services.contract_submit(actor=consultant, contract=contract),
        "approve": lambda: services.contract_approve(actor=manager, contract=contract),
        "reject": lambda: services.contract_reject(actor=manager, contract=contract,
                                                   reason="不行"),
        "sign": lambda: sign(consultant, contract),
        "deliver": lambda: services.contract_mark_delivered(actor=consultant,
                                                            contract=contract),
        "close": lambda: services.contract_close(actor=manager, contract=contract),
        "cancel": lambda: services.contract_cancel(actor=consultant, contract=contract,
                                                   reason="取消"),
    }
    return calls[name]()


ALLOWED = {
    "update": (S.DRAFT,), "submit": (S.DRAFT,), "approve": (S.IN_REVIEW,),
    "reject": (S.IN_REVIEW,), "sign": (S.APPROVED,), "deliver": (S.SIGNED,),
    "close": (S.DELIVERED,),
    # From signed only the manager may (tested above); from here on the state refuses.
    "cancel": (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SIGNED),
}
REFUSED = [(name, status) for name, allowed in ALLOWED.items() for status in S
           if status not in allowed]


@pytest.mark.parametrize(("name", "status"), REFUSED)
def test_each_transition_refused_from_each_wrong_state(consultant, manager, contract_in, name,
                                                       status):
    contract = contract_in(status)
    events = ContractEvent.objects.filter(contract=contract).count()

    with pytest.raises(ValidationError) as excinfo:
        _call(name, contract, {"consultant": consultant, "manager": manager})

    assert excinfo.value.messages == [
        f"This contract is {LABELS[status]}; that step is not possible now."]
    contract.refresh_from_db()
    assert contract.status == status
    assert ContractEvent.objects.filter(contract=contract).count() == events


def test_refused_matrix_covers_every_service_and_state():
    # 8 services × 7 states, less the 11 allowed pairs.
    assert len(REFUSED) == 45


# --- Every role that may not --------------------------------------------------------------
@pytest.mark.parametrize(("name", "status", "who"), [
    ("update", S.DRAFT, "teammate"),
    ("update", S.DRAFT, "outsider"),
    ("submit", S.DRAFT, "teammate"),
    ("submit", S.DRAFT, "finance"),
    ("approve", S.IN_REVIEW, "consultant"),
    ("approve", S.IN_REVIEW, "supervisor"),
    ("approve", S.IN_REVIEW, "finance"),
    ("approve", S.IN_REVIEW, "other_manager"),
    ("reject", S.IN_REVIEW, "consultant"),
    ("reject", S.IN_REVIEW, "supervisor"),
    ("sign", S.APPROVED, "teammate"),
    ("sign", S.APPROVED, "finance"),
    ("sign", S.APPROVED, "outsider"),
    ("deliver", S.SIGNED, "teammate"),
    ("close", S.DELIVERED, "consultant"),
    ("close", S.DELIVERED, "supervisor"),
    ("cancel", S.DRAFT, "teammate"),
    ("cancel", S.APPROVED, "finance"),
    ("cancel", S.SIGNED, "other_manager"),
])
def test_each_transition_refused_to_a_role_that_may_not(request, make_user, other_store,
                                                        contract_in, name, status, who):
    contract = contract_in(status)
    if who == "finance":
        actor = make_user(Role.FINANCE)
    elif who == "other_manager":
        actor = UserFactory(username="mgr-out", role=Role.MANAGER, store=other_store)
    else:
        actor = request.getfixturevalue(who)
    calls = {
        "update": lambda: services.contract_update(actor=actor, contract=contract,
                                                   extra_terms="改"),
        "submit": lambda: services.contract_submit(actor=actor, contract=contract),
        "approve": lambda: services.contract_approve(actor=actor, contract=contract),
        "reject": lambda: services.contract_reject(actor=actor, contract=contract,
                                                   reason="不行"),
        "sign": lambda: sign(actor, contract),
        "deliver": lambda: services.contract_mark_delivered(actor=actor, contract=contract),
        "close": lambda: services.contract_close(actor=actor, contract=contract),
        "cancel": lambda: services.contract_cancel(actor=actor, contract=contract,
                                                   reason="取消"),
    }

    with pytest.raises(PermissionDenied):
        calls[name]()

    contract.refresh_from_db()
    assert contract.status == status


def test_manager_cannot_approve_their_own_contract(store, manager):
    customer = CustomerFactory(store=store, owner=manager)
    contract = make_contract(manager, customer, manager=manager, status=S.IN_REVIEW)
    other = UserFactory(username="mgr-2", role=Role.MANAGER, store=store)

    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=manager, contract=contract)
    approved = services.contract_approve(actor=other, contract=contract)

    assert (approved.status, approved.reviewed_by) == (S.APPROVED, other)


def test_contract_number_next_counts_per_store_and_year(db):
    a, b = StoreFactory(code="AAA"), StoreFactory(code="BBB")

    assert services.contract_number_next(store=a, year=2026) == (1, "AAA-2026-000001")
    assert services.contract_number_next(store=a, year=2026) == (2, "AAA-2026-000002")
    assert services.contract_number_next(store=b, year=2026) == (1, "BBB-2026-000001")
    assert services.contract_number_next(store=a, year=2027) == (1, "AAA-2027-000001")


# --- What the stages above are told (contracts.signals) -----------------------------------
def test_cancelling_tells_the_stages_above_inside_its_transaction(contract_in, manager):
    from contracts.signals import contract_cancelled

    contract = contract_in(S.SIGNED)
    heard = []

    def receiver(sender, contract, actor, **kwargs):
        heard.append((contract.pk, contract.status, actor, transaction.get_connection()
                      .in_atomic_block))

    contract_cancelled.connect(receiver, dispatch_uid="test-heard")
    try:
        services.contract_cancel(actor=manager, contract=contract, reason="客户改变主意")
    finally:
        contract_cancelled.disconnect(dispatch_uid="test-heard")

    assert heard == [(contract.pk, S.CANCELLED, manager, True)]


def test_a_receiver_that_fails_rolls_the_cancellation_back(contract_in, manager):
    from contracts.signals import contract_cancelled

    contract = contract_in(S.SIGNED)

    def receiver(sender, **kwargs):
        raise ValidationError("the car could not be released")

    contract_cancelled.connect(receiver, dispatch_uid="test-fails")
    try:
        with pytest.raises(ValidationError):
            services.contract_cancel(actor=manager, contract=contract, reason="客户改变主意")
    finally:
        contract_cancelled.disconnect(dispatch_uid="test-fails")

    contract.refresh_from_db()
    assert (contract.status, contract.cancelled_at) == (S.SIGNED, None)
    assert not RefundObligation.objects.filter(contract=contract).exists()
