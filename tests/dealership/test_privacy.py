"""PIPL data-subject requests: export, correction, erasure by anonymisation, the retention
job, and consent withdrawal stopping queued messages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.enums import ContractStatus
from contracts.models import Payment
from contracts.services.contracts import contract_cancel
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry, Customer
from dealership.privacy import ANONYMISED_NAME
from dealership.services.customers import customer_update
from dealership.services.privacy import customer_erase, customer_export_data
from dealership.tasks import anonymise_expired_customers_task
from leads.enums import LeadStatus, MessageStatus, TaskKind, TouchKind, TouchOutcome
from leads.messaging import customer_opt_out, message_queue
from leads.models import ConsentChange, Lead, LeadEvent, OutboundMessage, Task, Touch
from showroom import models as showroom_models
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.usefixtures("in_english")

PHONE = "+8613812345678"
ID_NUMBER = "11010519491231002X"
ADDRESS = "深圳市南山区科技园1号"


def _message(customer, key: str, status: str = MessageStatus.QUEUED, **kwargs):
    return OutboundMessage.objects.create(store_id=customer.store_id, customer=customer,
                                          body=f"{customer.name}您好", dedupe_key=key,
                                          status=status, **kwargs)


def _with_rows(customer, consultant, *, key: str) -> Lead:
    """A lead of the customer with a touch, an event, a task, a message and a consent
    change, a visit, an invitation and a test drive: a row in every leads and showroom
    section of the export."""
    lead = LeadFactory(store=customer.store, owner=consultant, customer=customer,
                       note=f"{customer.name}想要白色")
    Touch.objects.create(store_id=lead.store_id, lead=lead,
                         kind=TouchKind.CALL, outcome=TouchOutcome.REACHED,
                         note=f"打给{customer.phone}", by=consultant)
    LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                             kind="touch", note=f"{customer.name}来电")
    Task.objects.create(store=customer.store, lead=lead, assignee=consultant,
                        kind=TaskKind.FOLLOW_UP, due_on=timezone.localdate())
    _message(customer, key)
    ConsentChange.objects.create(store_id=customer.store_id, customer=customer,
                                 consent=True, source="staff")
    VisitFactory(store=customer.store, consultant=consultant, customer=customer, lead=lead,
                 description=f"{customer.name}一家", decision_maker="妻子")
    InvitationFactory(lead=lead)
    DriveFactory(store=customer.store, consultant=consultant, customer=customer, lead=lead)
    return lead


@pytest.fixture
def customer_care(make_user):
    return make_user(Role.CUSTOMER_CARE, username="care")


@pytest.fixture
def buyer(store, consultant):
    return CustomerFactory(store=store, owner=consultant, name="张三丰", phone=PHONE,
                           id_number=ID_NUMBER, address=ADDRESS, wechat_id="zsf1949",
                           note="喜欢白色", marketing_consent=True,
                           consent_at=timezone.now(), consent_source="showroom_form")


# --- Export ---------------------------------------------------------------------------------
def test_export_json_holds_every_stage_rows_of_the_customer_and_nothing_else(
        login, manager, consultant, teammate, buyer, store):
    lead = _with_rows(buyer, consultant, key="buyer")
    contract = make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)
    other = CustomerFactory(store=store, owner=teammate, name="李四", phone="+8613912345678")
    _with_rows(other, teammate, key="other")
    make_contract(teammate, other, manager=manager, status=ContractStatus.SIGNED)

    response = login(manager).post(reverse("customers:export", args=[buyer.pk]),
                                   {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="customer-{buyer.pk}-')
    data = json.loads(response.content)
    assert [row["id"] for row in data["customer"]] == [buyer.pk]
    assert data["customer"][0]["phone"] == PHONE
    assert [row["id"] for row in data["leads"]] == [lead.pk]
    assert {row["lead_id"] for row in data["lead_touches"]} == {lead.pk}
    assert {row["lead_id"] for row in data["lead_events"]} == {lead.pk}
    assert {row["lead_id"] for row in data["lead_tasks"]} == {lead.pk}
    assert [row["body"] for row in data["messages"]] == ["张三丰您好"]
    assert [row["customer_id"] for row in data["consent_changes"]] == [buyer.pk]
    assert [row["customer_id"] for row in data["visits"]] == [buyer.pk]
    assert [row["lead_id"] for row in data["invitations"]] == [lead.pk]
    assert [row["customer_id"] for row in data["test_drives"]] == [buyer.pk]
    assert [row["customer_id"] for row in data["quotes"]] == [buyer.pk]
    assert [row["number"] for row in data["contracts"]] == [contract.number]
    assert [(row["contract_id"], row["amount"]) for row in data["payments"]] == [
        (contract.pk, "5000.00")]
    assert {row["contract_id"] for row in data["contract_events"]} == {contract.pk}
    assert "李四" not in response.content.decode()
    assert "13912345678" not in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.object_id, entry.changes) == (manager, str(buyer.pk),
                                                            {"format": "json"})


def test_export_csv_is_one_line_per_value_with_formulas_defused(login, customer_care, buyer):
    buyer.note = "=HYPERLINK(\"http://x\")"
    buyer.save()

    response = login(customer_care).post(reverse("customers:export", args=[buyer.pk]),
                                         {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode()
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "section,row,field,value"
    assert f"customer,1,phone,'{PHONE}" in lines
    assert "customer,1,note,\"'=HYPERLINK(\"\"http://x\"\")\"" in lines
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.changes) == (customer_care, {"format": "csv"})


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.FINANCE, Role.MARKETING])
def test_export_refused_without_the_permission_and_not_audited(login, make_user, buyer,
                                                               consultant, role):
    user = consultant if role == Role.CONSULTANT else make_user(role)

    response = login(user).post(reverse("customers:export", args=[buyer.pk]),
                                {"format": "json"})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_of_another_stores_customer_is_not_found(login, make_user, other_store, buyer):
    manager_elsewhere = make_user(Role.MANAGER, username="mgr2", store=other_store)

    response = login(manager_elsewhere).post(reverse("customers:export", args=[buyer.pk]),
                                             {"format": "json"})

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_with_an_unknown_format_is_refused_and_not_audited(login, manager, buyer):
    response = login(manager).post(reverse("customers:export", args=[buyer.pk]),
                                   {"format": "xml"})

    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_customer_page_offers_export_and_erase_to_the_manager_only(login, manager, consultant,
                                                                    buyer):
    page = login(manager).get(buyer.get_absolute_url()).content.decode()
    assert reverse("customers:export", args=[buyer.pk]) in page
    assert reverse("customers:erase", args=[buyer.pk]) in page

    page = login(consultant).get(buyer.get_absolute_url()).content.decode()
    assert reverse("customers:export", args=[buyer.pk]) not in page
    assert reverse("customers:erase", args=[buyer.pk]) not in page


@pytest.mark.parametrize("rows", [1, 3])
def test_export_runs_a_fixed_number_of_queries(django_assert_num_queries, consultant, manager,
                                               buyer, rows):
    for n in range(rows):
        _with_rows(buyer, consultant, key=f"k{n}")
    make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)
    customer = Customer.objects.get(pk=buyer.pk)

    # The customer's history, then one query per section: 7 leads, 4 showroom, 8 contracts.
    with django_assert_num_queries(20):
        data = customer_export_data(customer=customer)

    assert len(data["leads"]) == rows


# --- Correction ---------------------------------------------------------------------------
def test_correction_goes_through_the_customer_form_and_is_audited(login, consultant, buyer):
    response = login(consultant).post(reverse("customers:edit", args=[buyer.pk]), {
        "name": "张三峰", "phone": "", "gender": "", "city": "深圳", "address": ADDRESS,
        "id_number": "", "wechat_id": "zsf1949", "note": "", "marketing_consent": "on",
        "consent_source": "showroom_form",
    })

    assert response.status_code == 302
    buyer.refresh_from_db()
    assert (buyer.name, buyer.phone, buyer.id_number) == ("张三峰", PHONE, ID_NUMBER)
    assert AuditEntry.objects.get(action=AuditAction.UPDATE).changes["name"] == [
        "张三丰", "张三峰"]


# --- Erasure --------------------------------------------------------------------------------
def test_erasure_replaces_personal_data_and_keeps_contract_numbers_and_money(
        login, manager, consultant, buyer):
    lead = _with_rows(buyer, consultant, key="buyer")
    contract = make_contract(consultant, buyer, manager=manager, status=ContractStatus.CLOSED)
    number, total = contract.number, contract.total_price

    response = login(manager).post(reverse("customers:erase", args=[buyer.pk]),
                                   {"confirmation": "张三丰"})

    assert response.status_code == 302
    page = login(manager).get(response["Location"])
    assert page.status_code == 200
    assert 'data-testid="customer-anonymised"' in page.content.decode()
    assert reverse("customers:erase", args=[buyer.pk]) not in page.content.decode()
    buyer.refresh_from_db()
    assert (buyer.name, buyer.phone, buyer.id_number, buyer.address, buyer.wechat_id,
            buyer.note, buyer.city, buyer.marketing_consent, buyer.consent_at) == (
        ANONYMISED_NAME, f"+0{buyer.pk:012d}", "", "", "", "", "", False, None)
    assert buyer.anonymised_at is not None
    lead.refresh_from_db()
    assert (lead.note, lead.status) == ("", LeadStatus.LOST)
    assert list(Touch.objects.filter(lead=lead).values_list("note", flat=True)) == [""]
    assert set(LeadEvent.objects.filter(lead=lead).values_list("note", flat=True)) == {""}
    assert list(OutboundMessage.objects.values_list("body", "status")) == [
        ("", MessageStatus.SUPPRESSED)]
    visit = showroom_models.Visit.objects.get(customer=buyer)
    assert (visit.description, visit.decision_maker, visit.note) == ("", "", "")
    drive = showroom_models.TestDrive.objects.get(customer=buyer)
    assert (drive.licence_number, drive.status) == ("", "cancelled")
    assert showroom_models.Invitation.objects.get(lead=lead).status == "cancelled"
    contract.refresh_from_db()
    assert (contract.buyer_name, contract.buyer_phone, contract.buyer_id_number,
            contract.buyer_address) == (ANONYMISED_NAME, "", "", "")
    assert (contract.number, contract.total_price, contract.status) == (
        number, total, ContractStatus.CLOSED)
    # The money stays: the deposit and the balance that paid the rest of the price.
    assert sorted(Payment.objects.filter(contract=contract).values_list("amount", flat=True)) == (
        sorted([Decimal("5000.00"), contract.amount_due - Decimal("5000.00")]))
    # Nothing in the audit trail still names or numbers the person.
    trail = json.dumps(list(AuditEntry.objects.values("object_repr", "changes", "reason")),
                       ensure_ascii=False)
    for personal in ("张三丰", "5678", "002X", "南山区", "zsf1949"):
        assert personal not in trail


def test_erasure_tombstone_holds_no_personal_data(manager, buyer):
    customer_erase(actor=manager, customer=buyer, confirmation="张三丰")

    tombstone = AuditEntry.objects.get(action=AuditAction.ERASE)
    assert (tombstone.actor, tombstone.object_id, tombstone.object_repr, tombstone.changes,
            tombstone.reason) == (manager, str(buyer.pk), ANONYMISED_NAME, {},
                                  "Erased at the customer's request")
    assert tombstone.content_type == ContentType.objects.get_for_model(Customer)


def test_erasure_refused_while_a_contract_is_open(login, manager, consultant, buyer):
    contract = make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)

    response = login(manager).post(reverse("customers:erase", args=[buyer.pk]),
                                   {"confirmation": "张三丰"})

    assert response.status_code == 400
    assert 'data-testid="erase-blockers"' in response.content.decode()
    buyer.refresh_from_db()
    contract.refresh_from_db()
    assert (buyer.name, buyer.anonymised_at, contract.buyer_name) == ("张三丰", None, "张三丰")
    assert not AuditEntry.objects.filter(action=AuditAction.ERASE).exists()


def test_erasure_refused_while_a_delivered_contract_is_not_paid(manager, consultant, buyer):
    make_contract(consultant, buyer, manager=manager, status=ContractStatus.DELIVERED,
                  paid=False)

    with pytest.raises(ValidationError) as refused:
        customer_erase(actor=manager, customer=buyer, confirmation="张三丰")

    assert refused.value.messages == [
        "The customer cannot be erased yet: an open contract, or money owed either way."]
    assert Customer.objects.get(pk=buyer.pk).anonymised_at is None


def test_erasure_refused_while_a_refund_is_owed(manager, consultant, buyer):
    contract = make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)
    contract_cancel(actor=manager, contract=contract, reason="客户改变主意")

    with pytest.raises(ValidationError):
        customer_erase(actor=manager, customer=buyer, confirmation="张三丰")

    assert Customer.objects.get(pk=buyer.pk).anonymised_at is None


def test_erasure_refused_without_the_typed_name(login, manager, buyer):
    response = login(manager).post(reverse("customers:erase", args=[buyer.pk]),
                                   {"confirmation": "erase"})

    assert response.status_code == 400
    buyer.refresh_from_db()
    assert (buyer.name, buyer.anonymised_at) == ("张三丰", None)


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.CUSTOMER_CARE])
def test_erasure_refused_to_roles_below_manager(login, make_user, consultant, supervisor,
                                                buyer, role):
    user = {Role.CONSULTANT: consultant, Role.SUPERVISOR: supervisor}.get(role) or make_user(role)

    page = login(user).get(reverse("customers:erase", args=[buyer.pk]))
    post = login(user).post(reverse("customers:erase", args=[buyer.pk]),
                            {"confirmation": "张三丰"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert Customer.objects.get(pk=buyer.pk).anonymised_at is None


def test_anonymised_customer_is_never_messaged_again(manager, buyer):
    customer_erase(actor=manager, customer=buyer, confirmation="张三丰")
    Customer.objects.filter(pk=buyer.pk).update(marketing_consent=True,
                                                consent_at=timezone.now())

    queued = message_queue(customer=buyer, purpose="reactivation", body="您好",
                           dedupe_key="after", now=timezone.now())

    assert queued is None


# --- Retention ----------------------------------------------------------------------------
def test_retention_job_anonymises_stale_never_converted_customers_once(
        store, consultant, manager):
    now = timezone.now() + dt.timedelta(days=365 * 5)
    stale = CustomerFactory(store=store, owner=consultant, name="王老五", phone="+8613700000001")
    LeadFactory(store=store, owner=consultant, customer=stale, status=LeadStatus.LOST,
                lost_reason="price", created_at=now - dt.timedelta(days=365 * 4),
                closed_at=now - dt.timedelta(days=365 * 4))
    recent = CustomerFactory(store=store, owner=consultant, name="赵六", phone="+8613700000002")
    LeadFactory(store=store, owner=consultant, customer=recent,
                created_at=now - dt.timedelta(days=365))
    bought = CustomerFactory(store=store, owner=consultant, name="钱七", phone="+8613700000003")
    make_contract(consultant, bought, manager=manager, status=ContractStatus.CLOSED)

    with mock.patch("dealership.tasks.timezone.now", return_value=now):
        first = anonymise_expired_customers_task()
        state = list(Customer.objects.order_by("pk").values())
        audit_rows = AuditEntry.objects.count()
        second = anonymise_expired_customers_task()

    assert (first, second) == (1, 0)
    assert list(Customer.objects.order_by("pk").values()) == state
    assert AuditEntry.objects.count() == audit_rows
    names = dict(Customer.objects.values_list("pk", "name"))
    assert (names[stale.pk], names[recent.pk], names[bought.pk]) == (
        ANONYMISED_NAME, "赵六", "钱七")
    tombstone = AuditEntry.objects.get(action=AuditAction.ERASE)
    assert (tombstone.object_id, tombstone.actor, tombstone.reason) == (
        str(stale.pk), None, "Retention period over")


def test_retention_keeps_a_customer_with_a_recent_visit(store, consultant):
    now = timezone.now() + dt.timedelta(days=365 * 5)
    customer = CustomerFactory(store=store, owner=consultant, phone="+8613700000008")
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.LOST, lost_reason="price",
                       created_at=now - dt.timedelta(days=365 * 4),
                       closed_at=now - dt.timedelta(days=365 * 4))
    _message(customer, "old", status=MessageStatus.SENT)
    VisitFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                 arrived_at=now - dt.timedelta(days=30))

    with mock.patch("dealership.tasks.timezone.now", return_value=now):
        assert anonymise_expired_customers_task() == 0

    assert Customer.objects.get(pk=customer.pk).anonymised_at is None


def test_retention_period_is_per_store(store, consultant):
    store.retention_years = 5
    store.save()
    now = timezone.now() + dt.timedelta(days=365 * 5)
    customer = CustomerFactory(store=store, owner=consultant, phone="+8613700000009")
    LeadFactory(store=store, owner=consultant, customer=customer, status=LeadStatus.LOST,
                lost_reason="price", created_at=now - dt.timedelta(days=365 * 4),
                closed_at=now - dt.timedelta(days=365 * 4))

    with mock.patch("dealership.tasks.timezone.now", return_value=now):
        assert anonymise_expired_customers_task() == 0

    assert Customer.objects.get(pk=customer.pk).anonymised_at is None


# --- Consent withdrawal ------------------------------------------------------------------------
def test_consent_withdrawn_on_the_customer_form_suppresses_unsent_messages(consultant, buyer):
    _message(buyer, "queued")
    _message(buyer, "failed", status=MessageStatus.FAILED, attempts=1)
    _message(buyer, "sent", status=MessageStatus.SENT)

    customer_update(actor=consultant, customer=buyer, data={"marketing_consent": False})

    assert dict(OutboundMessage.objects.values_list("dedupe_key", "status")) == {
        "queued": MessageStatus.SUPPRESSED, "failed": MessageStatus.SUPPRESSED,
        "sent": MessageStatus.SENT}


def test_consent_withdrawn_through_the_edit_page_suppresses_queued_messages(login, consultant,
                                                                            buyer):
    _message(buyer, "queued")

    response = login(consultant).post(reverse("customers:edit", args=[buyer.pk]), {
        "name": "张三丰", "phone": "", "gender": "", "city": "深圳", "address": ADDRESS,
        "id_number": "", "wechat_id": "zsf1949", "note": "",
    })

    assert response.status_code == 302
    assert Customer.objects.get(pk=buyer.pk).marketing_consent is False
    assert OutboundMessage.objects.get().status == MessageStatus.SUPPRESSED


def test_consent_kept_on_the_customer_form_leaves_messages_queued(consultant, buyer):
    _message(buyer, "queued")

    customer_update(actor=consultant, customer=buyer, data={"city": "广州"})

    assert OutboundMessage.objects.get().status == MessageStatus.QUEUED


def test_opt_out_suppresses_queued_and_retrying_messages(consultant, buyer):
    _message(buyer, "queued")
    _message(buyer, "failed", status=MessageStatus.FAILED, attempts=1)

    customer_opt_out(customer=buyer, source="staff", actor=consultant)

    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {
        MessageStatus.SUPPRESSED}


def test_consent_withdrawal_is_undone_with_its_transaction(consultant, buyer):
    """Suppression and withdrawal are one transaction: a failure after both undoes both."""
    from django.db import transaction

    _message(buyer, "queued")
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_update(actor=consultant, customer=buyer, data={"marketing_consent": False})
        raise RuntimeError

    assert OutboundMessage.objects.get().status == MessageStatus.QUEUED
    assert Customer.objects.get(pk=buyer.pk).marketing_consent is True
