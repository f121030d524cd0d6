"""Complaints: intake (number, clocks, history, audit, the consultant told) and each
transition with its refusals; closing needs the customer's feedback; reopening starts a
new round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from aftersales.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintEventKind,
    ComplaintSeverity,
    ComplaintStatus,
    LeadEventKind,
)
from aftersales.models import Complaint, ComplaintEvent
from aftersales.services import complaints as services
from contracts.enums import ContractStatus
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.models import LeadEvent, Notification
from tests.aftersales.factories_complaints import T0, at, complaint_record, complaint_step
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


def events(complaint) -> list[str]:
    return list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk")
                .values_list("kind", flat=True))


def audits(complaint) -> list[str]:
    return list(AuditEntry.objects.filter(content_type__model="complaint",
                                          object_id=str(complaint.pk))
                .order_by("pk").values_list("action", flat=True))


# --- Intake ---------------------------------------------------------------------------------
def test_create_numbers_sets_the_clocks_and_tells_the_consultant(carer, consultant, customer,
                                                                  store):
    lead = LeadFactory(store=store, customer=customer, owner=consultant)
    received = T0 - 30 * dt.timedelta(minutes=1)

    complaint = complaint_record(carer, customer, received_at=received, now=T0)

    assert complaint.number == "DEMO-TS2026-0001"
    assert (complaint.status, complaint.handler, complaint.created_by, complaint.store_id) == (
        ComplaintStatus.OPEN, carer, carer, store.pk)
    assert complaint.clock_started_at == received
    assert (complaint.response_due_at, complaint.proposal_due_at,
            complaint.resolution_due_at) == (
        dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 3, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 4, 0, 30, tzinfo=dt.UTC))
    assert events(complaint) == [ComplaintEventKind.CREATED]
    assert audits(complaint) == [AuditAction.CREATE]
    assert list(Notification.objects.values_list("user", "kind", "lead")) == [
        (consultant.pk, LeadEventKind.COMPLAINT, lead.pk)]
    assert list(LeadEvent.objects.filter(kind=LeadEventKind.COMPLAINT)
                .values_list("lead", "note")) == [
        (lead.pk, "Complaint DEMO-TS2026-0001: 空调异响")]


def test_numbers_follow_each_other_per_store_and_year(carer, customer, make_user,
                                                      other_store):
    first = complaint_record(carer, customer)
    second = complaint_record(carer, customer, received_at=T0 + HOUR)
    elsewhere = make_user(Role.CUSTOMER_CARE, username="care2", store=other_store)
    stranger = CustomerFactory(store=other_store)
    third = complaint_record(elsewhere, stranger)

    assert [first.number, second.number, third.number] == [
        "DEMO-TS2026-0001", "DEMO-TS2026-0002", "OTHER-TS2026-0001"]


def test_a_number_is_unique_within_its_store_only(carer, customer, make_user, other_store):
    first = complaint_record(carer, customer)
    second = complaint_record(carer, customer, received_at=T0 + HOUR)
    elsewhere = make_user(Role.CUSTOMER_CARE, username="care2", store=other_store)
    theirs = complaint_record(elsewhere, CustomerFactory(store=other_store))

    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=second.pk).update(number=first.number)
    Complaint.objects.filter(pk=theirs.pk).update(number=first.number)

    assert sorted(Complaint.objects.values_list("store", "number")) == sorted([
        (first.store_id, "DEMO-TS2026-0001"), (first.store_id, "DEMO-TS2026-0002"),
        (other_store.pk, "DEMO-TS2026-0001")])


def test_the_history_is_written_in_the_complaints_store(carer, customer, store):
    complaint = complaint_record(carer, customer)
    complaint_step(carer, complaint, "respond", now=T0 + HOUR)

    assert list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk")
                .values_list("kind", "store")) == [
        (ComplaintEventKind.CREATED, store.pk), (ComplaintEventKind.RESPONDED, store.pk)]


def test_year_of_the_number_is_the_store_year(carer, customer):
    # 16:30 UTC on 31 December is already 1 January in Shanghai.
    received = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)

    complaint = complaint_record(carer, customer, received_at=received)

    assert complaint.number == "DEMO-TS2027-0001"


@pytest.mark.parametrize("received", [T0 - dt.timedelta(days=7, minutes=1), T0 + HOUR])
def test_create_refuses_a_time_outside_the_last_seven_days(carer, customer, received):
    with pytest.raises(ValidationError) as refusal:
        complaint_record(carer, customer, received_at=received, now=T0)

    assert list(refusal.value.message_dict) == ["received_at"]
    assert Complaint.objects.count() == 0


def test_create_refuses_another_customers_contract(carer, customer, consultant, manager,
                                                    store):
    someone = CustomerFactory(store=store, owner=consultant)
    contract = make_contract(consultant, someone, manager=manager,
                             status=ContractStatus.SIGNED)

    with pytest.raises(ValidationError) as refusal:
        complaint_record(carer, customer, contract=contract)

    assert refusal.value.message_dict == {"contract": ["This contract is not the customer's."]}
    assert Complaint.objects.count() == 0


def test_create_refuses_empty_summary_naming_the_field(carer, customer):
    with pytest.raises(ValidationError) as refusal:
        complaint_record(carer, customer, summary="  ")

    assert list(refusal.value.message_dict) == ["summary"]


def test_consultant_may_not_record_a_complaint(consultant, customer):
    with pytest.raises(PermissionDenied):
        complaint_record(consultant, customer)
    assert Complaint.objects.count() == 0


def test_customer_of_another_store_is_refused(carer, other_store):
    with pytest.raises(PermissionDenied):
        complaint_record(carer, CustomerFactory(store=other_store))


def test_recording_own_customer_does_not_notify_oneself(supervisor, store):
    mine = CustomerFactory(store=store, owner=supervisor)

    complaint_record(supervisor, mine)

    assert Notification.objects.count() == 0


# --- Transitions ----------------------------------------------------------------------------
def test_the_whole_way_respond_propose_resolve_close(carer, customer):
    complaint = complaint_record(carer, customer)

    complaint_step(carer, complaint, "respond", now=T0 + HOUR)
    complaint_step(carer, complaint, "propose", now=T0 + 5 * HOUR)
    complaint_step(carer, complaint, "resolve", now=T0 + 30 * HOUR)
    complaint_step(carer, complaint, "close", now=T0 + 40 * HOUR)

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert (complaint.responded_at, complaint.proposed_at, complaint.resolved_at,
            complaint.closed_at) == (T0 + HOUR, T0 + 5 * HOUR, T0 + 30 * HOUR, T0 + 40 * HOUR)
    assert (complaint.cause_analysis, complaint.corrective_action,
            complaint.customer_feedback, complaint.customer_satisfied) == (
        "鼓风机轴承批次缺陷。", "同批次库存车全检。", "满意，异响消失。", True)
    assert events(complaint) == [ComplaintEventKind.CREATED, ComplaintEventKind.RESPONDED,
                                 ComplaintEventKind.PROPOSED, ComplaintEventKind.RESOLVED,
                                 ComplaintEventKind.CLOSED]
    assert audits(complaint) == [AuditAction.CREATE] + [AuditAction.UPDATE] * 4


def test_a_resolution_straight_away_stops_every_clock(carer, customer):
    complaint = complaint_record(carer, customer)

    complaint = complaint_step(carer, complaint, "resolve", now=T0 + HOUR)

    assert (complaint.responded_at, complaint.proposed_at, complaint.resolved_at) == (
        T0 + HOUR, T0 + HOUR, T0 + HOUR)


def test_closing_without_feedback_is_refused_and_nothing_changes(carer, customer):
    complaint = complaint_record(carer, customer)
    complaint_step(carer, complaint, "resolve", now=T0 + HOUR)
    before = Complaint.objects.values().get(pk=complaint.pk)

    with at(T0 + 2 * HOUR), pytest.raises(ValidationError) as refusal:
        services.complaint_close(actor=carer, complaint=complaint, customer_feedback="  ",
                                 customer_satisfied=True)

    assert refusal.value.message_dict == {
        "customer_feedback": ["Closing requires the customer's feedback."]}
    assert Complaint.objects.values().get(pk=complaint.pk) == before
    assert events(complaint) == [ComplaintEventKind.CREATED, ComplaintEventKind.RESOLVED]


def test_closing_needs_to_know_whether_the_customer_is_satisfied(carer, customer):
    complaint = complaint_record(carer, customer)
    complaint_step(carer, complaint, "resolve", now=T0 + HOUR)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_close(actor=carer, complaint=complaint, customer_feedback="还行",
                                 customer_satisfied=None)

    assert list(refusal.value.message_dict) == ["customer_satisfied"]
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


def test_closing_an_unresolved_complaint_is_a_conflict(carer, customer):
    complaint = complaint_record(carer, customer)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_close(actor=carer, complaint=complaint, customer_feedback="好",
                                 customer_satisfied=True)

    assert refusal.value.error_list[0].code == services.CONFLICT
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


def test_responding_twice_the_second_is_refused(carer, supervisor, customer):
    complaint = complaint_record(carer, customer)
    stale = Complaint.objects.get(pk=complaint.pk)
    complaint_step(carer, complaint, "respond", now=T0 + HOUR)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_respond(actor=supervisor, complaint=stale, note="我也回复了")

    assert refusal.value.messages == [
        "This complaint is now “Responded”; reload the page to see what changed."]
    assert refusal.value.error_list[0].code == services.CONFLICT
    complaint.refresh_from_db()
    assert complaint.response_note == "已致电客户，约定到店检查。"


def test_resolve_requires_cause_analysis_and_corrective_action(carer, customer):
    complaint = complaint_record(carer, customer)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_resolve(actor=carer, complaint=complaint, resolution="已处理",
                                   cause_analysis="", corrective_action=" ")

    assert sorted(refusal.value.message_dict) == ["cause_analysis", "corrective_action"]
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


def test_reopen_starts_a_new_round(carer, customer):
    complaint = complaint_record(carer, customer)
    complaint_step(carer, complaint, "respond", now=T0 + HOUR)
    complaint_step(carer, complaint, "resolve", now=T0 + 3 * HOUR)
    complaint_step(carer, complaint, "close", now=T0 + 4 * HOUR)
    Complaint.objects.filter(pk=complaint.pk).update(escalation_level=1)
    reopened_at = T0 + 72 * HOUR

    complaint = complaint_step(carer, complaint, "reopen", now=reopened_at)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopened_count, complaint.clock_started_at,
            complaint.escalation_level) == (ComplaintStatus.OPEN, 1, reopened_at, 0)
    assert (complaint.response_due_at, complaint.proposal_due_at,
            complaint.resolution_due_at) == (
        reopened_at + 2 * HOUR, reopened_at + 24 * HOUR, reopened_at + 48 * HOUR)
    assert (complaint.responded_at, complaint.proposed_at, complaint.resolved_at,
            complaint.closed_at, complaint.customer_feedback,
            complaint.customer_satisfied) == (None, None, None, None, "", None)
    reopened = ComplaintEvent.objects.get(complaint=complaint,
                                          kind=ComplaintEventKind.REOPENED)
    assert (reopened.note, reopened.data) == (
        "又响了。", {"feedback": "满意，异响消失。", "satisfied": True, "round": 0})


def test_an_open_complaint_cannot_be_reopened(carer, customer):
    complaint = complaint_record(carer, customer)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_reopen(actor=carer, complaint=complaint, customer_words="再开")

    assert refusal.value.error_list[0].code == services.CONFLICT
    complaint.refresh_from_db()
    assert complaint.reopened_count == 0


def test_assign_hands_over_and_tells_the_new_handler(carer, manager, customer):
    complaint = complaint_record(carer, customer)
    Notification.objects.all().delete()

    services.complaint_assign(actor=carer, complaint=complaint, handler=manager)

    complaint.refresh_from_db()
    assert complaint.handler == manager
    assert list(Notification.objects.values_list("user", "kind")) == [
        (manager.pk, LeadEventKind.COMPLAINT)]
    assert events(complaint) == [ComplaintEventKind.CREATED, ComplaintEventKind.ASSIGNED]


def test_assign_to_a_consultant_is_refused(carer, consultant, customer):
    complaint = complaint_record(carer, customer)

    with pytest.raises(ValidationError) as refusal:
        services.complaint_assign(actor=carer, complaint=complaint, handler=consultant)

    assert list(refusal.value.message_dict) == ["handler"]
    complaint.refresh_from_db()
    assert complaint.handler == carer


def test_a_note_is_added_to_the_history(carer, customer):
    complaint = complaint_record(carer, customer)

    services.complaint_note_add(actor=carer, complaint=complaint, note="客户晚上才方便接电话")

    assert events(complaint) == [ComplaintEventKind.CREATED, ComplaintEventKind.NOTE]


def test_a_consultant_may_not_work_a_complaint(carer, consultant, customer):
    complaint = complaint_record(carer, customer)

    with pytest.raises(PermissionDenied):
        services.complaint_respond(actor=consultant, complaint=complaint, note="我来")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


def test_any_channel_category_severity_and_department_are_recorded(carer, customer):
    complaint = complaint_record(carer, customer, channel=ComplaintChannel.WECHAT,
                                 category=ComplaintCategory.PRICE,
                                 severity=ComplaintSeverity.CRITICAL,
                                 department=ComplaintDepartment.SALES)

    assert (complaint.channel, complaint.category, complaint.severity,
            complaint.department) == ("wechat", "price", "critical", "sales")
