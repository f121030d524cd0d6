"""Complaints under concurrency (PostgreSQL, one connection per thread): ten intakes at
once get ten consecutive numbers; two people answering one complaint at once: one wins,
the other is told; two escalation workers at once escalate once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aftersales.enums import ComplaintEventKind
from aftersales.jobs_complaints import escalate_complaints
from aftersales.models import Complaint, ComplaintBreach, ComplaintEvent
from aftersales.services import complaints as services
from dealership.enums import Role
from leads.models import Notification
from tests.aftersales.factories_complaints import T0, at, complaint_record, complaint_values
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


def test_ten_intakes_at_once_get_ten_consecutive_numbers(carer, customer):
    # The clock is set once around the race: threads patching it each would leave it
    # patched for the tests after this one.
    with at(T0 + dt.timedelta(minutes=10)):
        results = race(*[
            (lambda index=index: services.complaint_create(
                actor=carer, customer=customer, received_at=T0 + dt.timedelta(minutes=index),
                **complaint_values()))
            for index in range(10)])

    assert all(isinstance(result, Complaint) for result in results), results
    assert sorted(Complaint.objects.values_list("number", flat=True)) == [
        f"DEMO-TS2026-{n:04d}" for n in range(1, 11)]


def test_two_first_responses_at_once_one_wins(carer, supervisor, customer):
    complaint = complaint_record(carer, customer)

    results = race(
        lambda: services.complaint_respond(actor=carer, complaint=complaint, note="客服回电"),
        lambda: services.complaint_respond(actor=supervisor, complaint=complaint,
                                           note="主管回电"))

    winners = [r for r in results if isinstance(r, Complaint)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].error_list[0].code == services.CONFLICT
    complaint.refresh_from_db()
    assert complaint.response_note == winners[0].response_note
    assert ComplaintEvent.objects.filter(complaint=complaint,
                                         kind=ComplaintEventKind.RESPONDED).count() == 1


def test_two_escalation_workers_at_once_escalate_once(carer, supervisor, customer):
    complaint = complaint_record(carer, customer)
    Notification.objects.all().delete()
    moment = T0 + dt.timedelta(hours=3)

    results = race(lambda: escalate_complaints(now=moment),
                   lambda: escalate_complaints(now=moment + dt.timedelta(microseconds=1)))

    assert sorted(results) == [0, 1]
    assert ComplaintBreach.objects.filter(complaint=complaint).count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint,
                                         kind=ComplaintEventKind.ESCALATED).count() == 1
    assert list(Notification.objects.values_list("user", flat=True)) == [supervisor.pk]
