"""The complaints demo (aftersales.demo.complaints.seed): complaints in every SLA state,
breached ones with their breach rows (one up to the manager), closed ones with feedback,
a reopened one; a second seeding changes nothing."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from aftersales.demo.complaints import STORIES, seed
from aftersales.enums import ComplaintStatus, EscalationLevel
from aftersales.models import Complaint, ComplaintBreach, ComplaintEvent
from aftersales.selectors.complaints import SlaState, complaint_sla_state
from dealership.enums import Role
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(store, consultant, supervisor, manager, make_user):
    make_user(Role.CUSTOMER_CARE, name="林佳怡")
    for _index in range(3):
        CustomerFactory(store=store, owner=consultant)
    seed(random.Random(7), store=store, scale="small")
    return store


def test_demo_has_every_sla_state_with_breaches_and_closures(seeded):
    now = timezone.now()
    complaints = list(Complaint.objects.filter(store=seeded))

    assert len(complaints) == len(STORIES)
    states = {complaint_sla_state(c, now) for c in complaints}
    assert states == {SlaState.BREACHED, SlaState.DUE_SOON, SlaState.ON_TRACK,
                      SlaState.AWAITING_FEEDBACK, SlaState.CLOSED}
    levels = set(ComplaintBreach.objects.values_list("clock", "level"))
    assert {("response", EscalationLevel.SUPERVISOR), ("response", EscalationLevel.MANAGER),
            ("proposal", EscalationLevel.SUPERVISOR)} <= levels
    closed = [c for c in complaints if c.status == ComplaintStatus.CLOSED]
    assert len(closed) == 3
    assert all(c.customer_feedback and c.closed_at > c.resolved_at for c in closed)
    assert {c.customer_satisfied for c in closed} == {True, False}
    assert [c.reopened_count for c in complaints if c.reopened_count] == [1]
    # Every step is stamped in the past, after the complaint was received.
    assert all(c.received_at <= e.created_at <= now
               for c in complaints for e in ComplaintEvent.objects.filter(complaint=c))


def test_the_late_response_of_the_past_was_caught_by_the_job(seeded):
    late = Complaint.objects.get(summary="厂家转来：天窗漏水")

    assert list(ComplaintBreach.objects.filter(complaint=late)
                .values_list("clock", "level")) == [("response", EscalationLevel.SUPERVISOR)]
    assert late.responded_at > late.response_due_at


def test_demo_seeded_twice_changes_nothing(seeded):
    before = (Complaint.objects.count(), ComplaintBreach.objects.count(),
              ComplaintEvent.objects.count())

    seed(random.Random(8), store=seeded, scale="small")

    assert (Complaint.objects.count(), ComplaintBreach.objects.count(),
            ComplaintEvent.objects.count()) == before
