"""A first quote moves its lead on to "negotiating" (leads.services.lead_start_negotiation).

A lead still earlier in the funnel (new, contacted, invited, visited, test driven) moves
forward, skipping the steps it never took; a dormant lead stays asleep (a follow-up wakes
it), a closed one stays closed, and one already negotiating gets no second status row.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from leads.enums import EventKind, LeadStatus, LostReason
from leads.models import Lead
from tests.contracts.factories import make_quote
from tests.factories import TrimFactory
from tests.leads.factories import LeadFactory


def status_events(lead: Lead) -> list[tuple[str, str, str]]:
    return [(e.data["from"], e.data["to"], e.actor.username)
            for e in lead.events.filter(kind=EventKind.STATUS).order_by("id")]


@pytest.mark.parametrize("before", [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INVITED,
                                    LeadStatus.VISITED, LeadStatus.TEST_DRIVEN])
def test_quote_moves_an_earlier_lead_to_negotiating(store, consultant, customer, before):
    lead = LeadFactory(store=store, owner=consultant, customer=customer, status=before)

    quote = make_quote(consultant, customer, trim=TrimFactory(), lead=lead)

    lead.refresh_from_db()
    assert (quote.lead, lead.status) == (lead, LeadStatus.NEGOTIATING)
    assert status_events(lead) == [(before, "negotiating", "con")]


def test_quote_by_the_supervisor_moves_the_lead_in_their_name(store, consultant, supervisor,
                                                              customer):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.VISITED)

    make_quote(supervisor, customer, trim=TrimFactory(), lead=lead)

    assert status_events(lead) == [("visited", "negotiating", "sup")]


def test_second_quote_leaves_a_negotiating_lead_as_it_is(store, consultant, customer):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.TEST_DRIVEN)
    make_quote(consultant, customer, trim=TrimFactory(), lead=lead)
    lead.refresh_from_db()

    second = make_quote(consultant, customer, trim=TrimFactory(), lead=lead)

    lead.refresh_from_db()
    assert (second.lead, lead.status) == (lead, LeadStatus.NEGOTIATING)
    assert status_events(lead) == [("test_driven", "negotiating", "con")]


def test_quote_stands_when_another_request_moved_the_lead_on_meanwhile(store, consultant,
                                                                       customer):
    """The caller's copy still says "test driven"; the lead's locked row says "won"."""
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.TEST_DRIVEN)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.WON, closed_at=timezone.now())

    quote = make_quote(consultant, customer, trim=TrimFactory(), lead=lead)

    lead.refresh_from_db()
    assert (quote.pk is not None, quote.lead, lead.status) == (True, lead, LeadStatus.WON)
    assert status_events(lead) == []


@pytest.mark.parametrize(("status", "stamp"), [
    (LeadStatus.DORMANT, "dormant_at"), (LeadStatus.WON, "closed_at"),
    (LeadStatus.LOST, "closed_at"),
])
def test_quote_leaves_a_dormant_or_closed_lead_where_it_is(store, consultant, customer,
                                                           status, stamp):
    lead = LeadFactory(store=store, owner=consultant, customer=customer, status=status,
                       lost_reason=LostReason.PRICE if status == LeadStatus.LOST else "",
                       **{stamp: timezone.now()})

    quote = make_quote(consultant, customer, trim=TrimFactory(), lead=lead)

    lead.refresh_from_db()
    assert (quote.lead, lead.status) == (lead, status)
    assert status_events(lead) == []


def test_quote_without_a_lead_moves_no_lead(store, consultant, customer):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.VISITED)

    quote = make_quote(consultant, customer, trim=TrimFactory())

    lead.refresh_from_db()
    assert (quote.lead, lead.status) == (None, LeadStatus.VISITED)
    assert status_events(lead) == []
