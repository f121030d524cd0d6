"""The escalation job with the clock mocked: a breached clock is recorded and the
supervisor told, the manager after another full clock length; a second run writes
nothing; a reopening starts a new round that can breach again."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.enums import ComplaintEventKind, EscalationLevel, LeadEventKind
from aftersales.jobs_complaints import escalate_complaints, escalate_complaints_task
from aftersales.models import ComplaintBreach, ComplaintEvent
from dealership.enums import Role
from leads.models import Notification
from tests.aftersales.factories_complaints import T0, at, complaint_record, complaint_step
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def complaint(carer, customer):
    complaint = complaint_record(carer, customer)
    Notification.objects.all().delete()  # the consultant's "new complaint"
    return complaint


def breaches(complaint) -> list[tuple[str, int, int]]:
    return list(ComplaintBreach.objects.filter(complaint=complaint)
                .order_by("level", "clock", "round").values_list("clock", "round", "level"))


def told() -> list[tuple[int, str]]:
    return list(Notification.objects.order_by("pk").values_list("user", "kind"))


def test_nothing_before_the_first_deadline(complaint):
    assert escalate_complaints(now=T0 + 2 * HOUR) == 0
    assert breaches(complaint) == []


def test_a_missed_response_goes_to_the_consultants_supervisor(complaint, supervisor, settings):
    settings.LANGUAGE_CODE = "en"  # the event note is stored in the site's language
    created = escalate_complaints(now=T0 + 2 * HOUR + MINUTE)

    complaint.refresh_from_db()
    assert created == 1
    assert breaches(complaint) == [("response", 0, EscalationLevel.SUPERVISOR)]
    assert complaint.escalation_level == EscalationLevel.SUPERVISOR
    assert told() == [(supervisor.pk, LeadEventKind.COMPLAINT_ESCALATED)]
    escalated = ComplaintEvent.objects.get(complaint=complaint,
                                           kind=ComplaintEventKind.ESCALATED)
    assert escalated.note == "First response (2 h) overdue; escalated to: Supervisor"
    assert escalated.data["clock"] == "response"


def test_a_second_run_writes_nothing(complaint):
    escalate_complaints(now=T0 + 3 * HOUR)
    before = (breaches(complaint), told(),
              ComplaintEvent.objects.filter(kind=ComplaintEventKind.ESCALATED).count())

    assert escalate_complaints(now=T0 + 3 * HOUR) == 0
    assert escalate_complaints(now=T0 + 3 * HOUR + 5 * MINUTE) == 0
    assert (breaches(complaint), told(),
            ComplaintEvent.objects.filter(kind=ComplaintEventKind.ESCALATED).count()) == before


def test_the_manager_after_another_full_clock_length(complaint, supervisor, manager):
    escalate_complaints(now=T0 + 3 * HOUR)
    assert escalate_complaints(now=T0 + 4 * HOUR) == 0  # exactly 2 h late: not yet

    assert escalate_complaints(now=T0 + 4 * HOUR + MINUTE) == 1

    complaint.refresh_from_db()
    assert breaches(complaint) == [("response", 0, EscalationLevel.SUPERVISOR),
                                   ("response", 0, EscalationLevel.MANAGER)]
    assert complaint.escalation_level == EscalationLevel.MANAGER
    assert told() == [(supervisor.pk, LeadEventKind.COMPLAINT_ESCALATED),
                      (manager.pk, LeadEventKind.COMPLAINT_ESCALATED)]


def test_a_response_in_time_then_a_missed_proposal(carer, complaint, supervisor):
    complaint_step(carer, complaint, "respond", now=T0 + HOUR)

    assert escalate_complaints(now=T0 + 23 * HOUR) == 0
    assert escalate_complaints(now=T0 + 24 * HOUR + MINUTE) == 1
    assert breaches(complaint) == [("proposal", 0, EscalationLevel.SUPERVISOR)]


def test_a_job_that_did_not_run_for_two_days_catches_up_once(complaint, supervisor, manager):
    assert escalate_complaints(now=T0 + 49 * HOUR) == 5

    assert breaches(complaint) == [
        ("proposal", 0, 1), ("resolution", 0, 1), ("response", 0, 1),
        ("proposal", 0, 2), ("response", 0, 2)]
    # One notification per complaint and person, however many clocks ran out at once.
    assert told() == [(supervisor.pk, LeadEventKind.COMPLAINT_ESCALATED),
                      (manager.pk, LeadEventKind.COMPLAINT_ESCALATED)]


def test_a_reopened_complaint_breaches_again_in_its_new_round(carer, complaint):
    escalate_complaints(now=T0 + 3 * HOUR)
    complaint_step(carer, complaint, "resolve", now=T0 + 4 * HOUR)
    reopened = T0 + 50 * HOUR
    complaint_step(carer, complaint, "reopen", now=reopened)

    assert escalate_complaints(now=reopened + HOUR) == 0
    assert escalate_complaints(now=reopened + 2 * HOUR + MINUTE) == 1

    complaint.refresh_from_db()
    assert breaches(complaint) == [("response", 0, 1), ("response", 1, 1)]
    assert complaint.escalation_level == EscalationLevel.SUPERVISOR


def test_resolved_and_closed_complaints_are_left_alone(carer, complaint):
    complaint_step(carer, complaint, "resolve", now=T0 + HOUR)

    assert escalate_complaints(now=T0 + 100 * HOUR) == 0


def test_without_a_team_supervisor_every_supervisor_of_the_store_is_told(carer, store,
                                                                          make_user,
                                                                          supervisor):
    other = make_user(Role.SUPERVISOR, username="sup2", name="钱主管")
    walk_in = CustomerFactory(store=store, owner=None)
    complaint_record(carer, walk_in)

    escalate_complaints(now=T0 + 3 * HOUR)

    assert sorted(told()) == sorted([(supervisor.pk, LeadEventKind.COMPLAINT_ESCALATED),
                                     (other.pk, LeadEventKind.COMPLAINT_ESCALATED)])


def test_breaches_and_their_events_carry_the_complaints_store(complaint, store, make_user,
                                                              other_store):
    elsewhere = make_user(Role.CUSTOMER_CARE, username="care2", store=other_store)
    theirs = complaint_record(elsewhere, CustomerFactory(store=other_store, owner=None))

    assert escalate_complaints(now=T0 + 3 * HOUR) == 2

    assert sorted(ComplaintBreach.objects.values_list("complaint", "store")) == sorted([
        (complaint.pk, store.pk), (theirs.pk, other_store.pk)])
    assert sorted(ComplaintEvent.objects.filter(kind=ComplaintEventKind.ESCALATED)
                  .values_list("complaint", "store")) == sorted([
        (complaint.pk, store.pk), (theirs.pk, other_store.pk)])


def test_the_task_runs_the_job_at_the_current_time(complaint):
    with at(T0 + 3 * HOUR):
        assert escalate_complaints_task() == 1
    assert breaches(complaint) == [("response", 0, 1)]
