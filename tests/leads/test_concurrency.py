"""Races that only a real database shows: two requests at the same moment (PostgreSQL).

Each thread has its own connection, so the rows locks and unique constraints of the
services decide who wins, exactly as with two web workers.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealership.models import Customer
from leads.enums import EventKind, LeadStatus, LostReason, LostRequestStatus
from leads.models import Lead, LeadEvent, LostRequest
from leads.services import lead_approve_lost, lead_capture, lead_claim, lead_return_lost
from tests.concurrency import race, require_postgres
from tests.leads.factories import LeadFactory, LostRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_same_new_phone_twice_at_once_makes_one_customer_and_one_lead(store, consultant,
                                                                        teammate):
    def capture():
        return lead_capture(store=store, actor=None, name="抖音客户", phone="+8613811112222",
                            channel="short_video", purchase_window="1m")

    results = race(capture, capture, timeout=30)

    assert [type(r).__name__ for r in results] == ["CaptureResult", "CaptureResult"]
    customer = Customer.objects.get()
    lead = Lead.objects.get()
    assert lead.customer == customer
    assert {r.lead.pk for r in results} == {lead.pk}
    assert sorted(r.duplicate for r in results) == [False, True]
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.ENQUIRY).count() == 1


def test_two_consultants_claim_the_same_pooled_lead_one_wins(store, consultant, teammate):
    lead = LeadFactory(store=store, owner=None, pooled_at=timezone.now(),
                       status=LeadStatus.DORMANT)

    results = race(lambda: lead_claim(lead=lead, actor=consultant),
                   lambda: lead_claim(lead=lead, actor=teammate), timeout=30)

    winners = [r for r in results if isinstance(r, Lead)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    lead.refresh_from_db()
    assert lead.owner == winners[0].owner
    assert lead.events.filter(kind=EventKind.CLAIMED).count() == 1


def test_two_deciders_on_the_same_lost_request_one_wins(store, consultant, supervisor,
                                                        manager):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)
    request = LostRequestFactory(lead=lead, reason=LostReason.PRICE)

    results = race(lambda: lead_approve_lost(request=request, actor=supervisor, note="同意"),
                   lambda: lead_return_lost(request=request, actor=manager, note="再跟进"),
                   timeout=30)

    winners = [r for r in results if isinstance(r, LostRequest)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    request.refresh_from_db()
    lead.refresh_from_db()
    assert request.status == winners[0].status
    assert request.decided_by == winners[0].decided_by
    if request.status == LostRequestStatus.APPROVED:
        assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "price")
    else:
        assert (lead.status, lead.lost_reason) == (LeadStatus.CONTACTED, "")
    decisions = lead.events.filter(kind__in=[EventKind.LOST_APPROVED, EventKind.LOST_RETURNED])
    assert decisions.count() == 1


def test_same_external_id_many_times_at_once_every_answer_is_the_first(store, consultant):
    """DESIGN §4: the same (channel, external_id) returns the first result. A request that
    waited on the first one's customer row used to answer "duplicate" instead."""
    def capture():
        return lead_capture(store=store, actor=None, name="官网客户", phone="+8613811113333",
                            channel="website", external_id="order-42", purchase_window="1m")

    results = race(*[capture] * 8, timeout=60)

    lead = Lead.objects.get()
    assert [(r.lead.pk, r.duplicate) for r in results] == [(lead.pk, False)] * 8
    assert Customer.objects.count() == 1
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.ENQUIRY).count() == 0
