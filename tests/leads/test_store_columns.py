"""The store copied onto the leads' child rows (issue 15 §6): every service that writes a
touch, a timeline event, a lost request or a consent change gives it its parent's store;
the unique rules that now name the store still refuse a duplicate in the store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealership.enums import Role
from leads.enums import Channel, EventKind, LostReason, TaskKind, TouchKind, TouchOutcome
from leads.messaging import customer_opt_out, message_queue
from leads.models import ConsentChange, LeadEvent, Notification, OutboundMessage, Task
from leads.selectors.notifications import unread_count
from leads.services import lead_capture, lead_log_touch, lead_request_lost
from leads.services.events import event, lead_events_add
from leads.services.notifications import notification_mark_all_read
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_consultant(other_store):
    supervisor = UserFactory(username="their-sup", role=Role.SUPERVISOR, store=other_store)
    team = TeamFactory(store=other_store, name="二组", supervisor=supervisor)
    return UserFactory(username="their-con", role=Role.CONSULTANT, store=other_store, team=team)


@pytest.fixture
def their_lead(other_store, their_consultant):
    """A lead of the second store: its rows must not take the first store's id."""
    return LeadFactory(store=other_store, owner=their_consultant)


def test_touch_takes_its_leads_store(store, their_lead, their_consultant):
    touch = lead_log_touch(lead=their_lead, actor=their_consultant, kind=TouchKind.CALL,
                           outcome=TouchOutcome.REACHED)

    assert touch.store_id == their_lead.store_id
    assert set(LeadEvent.objects.filter(lead=their_lead)
               .values_list("store_id", flat=True)) == {their_lead.store_id}


def test_lost_request_takes_its_leads_store(store, their_lead, their_consultant):
    request = lead_request_lost(lead=their_lead, actor=their_consultant,
                                reason=LostReason.PRICE)

    assert request.store_id == their_lead.store_id
    assert LeadEvent.objects.get(lead=their_lead,
                                 kind=EventKind.LOST_REQUESTED).store_id == their_lead.store_id


def test_event_takes_its_leads_store(store, their_lead):
    row = event(their_lead, EventKind.GRADE, note="到店")

    assert row.store_id == their_lead.store_id


def test_events_added_in_bulk_take_each_leads_store(store, consultant, their_lead):
    mine = LeadFactory(store=store, owner=consultant)

    lead_events_add(kind=EventKind.STATUS, note="", at=timezone.now(),
                    rows=[(mine.pk, {}), (their_lead.pk, {})])

    assert dict(LeadEvent.objects.values_list("lead_id", "store_id")) == {
        mine.pk: store.pk, their_lead.pk: their_lead.store_id}


def test_capture_with_consent_writes_events_and_consent_in_the_store(other_store,
                                                                      their_consultant):
    result = lead_capture(store=other_store, actor=their_consultant, name="李雷",
                          phone="+8613900001111", channel=Channel.WALK_IN,
                          marketing_consent=True, consent_source="showroom_form",
                          owner=their_consultant)

    assert set(LeadEvent.objects.filter(lead=result.lead)
               .values_list("store_id", flat=True)) == {other_store.pk}
    assert ConsentChange.objects.get(customer=result.lead.customer).store_id == other_store.pk


def test_opt_out_writes_consent_and_events_in_the_customers_store(other_store, their_lead):
    change = customer_opt_out(customer=their_lead.customer, source="sms_stop")

    assert change.store_id == other_store.pk
    assert LeadEvent.objects.get(lead=their_lead, kind=EventKind.OPT_OUT).store_id == \
        other_store.pk


# --- Unique rules per store ------------------------------------------------------------------
def test_same_dedupe_key_queues_once_per_store_and_again_in_another(store, other_store):
    now = timezone.now()
    here = CustomerFactory(store=store, marketing_consent=True, consent_at=now)
    there = CustomerFactory(store=other_store, marketing_consent=True, consent_at=now)

    first = message_queue(customer=here, purpose="care", body="您好", dedupe_key="k", now=now)
    again = message_queue(customer=here, purpose="care", body="您好", dedupe_key="k", now=now)
    theirs = message_queue(customer=there, purpose="care", body="您好", dedupe_key="k", now=now)

    assert again == first
    assert theirs.store_id == other_store.pk
    assert OutboundMessage.objects.count() == 2


def test_database_refuses_a_second_message_with_the_key_in_the_store(store):
    customer = CustomerFactory(store=store)
    OutboundMessage.objects.create(store=store, customer=customer, purpose="care", body="a",
                                   dedupe_key="k")

    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundMessage.objects.create(store=store, customer=customer, purpose="care",
                                       body="b", dedupe_key="k")


def test_database_refuses_a_second_open_task_of_a_kind_on_a_lead(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)
    due = timezone.localdate()
    Task.objects.create(store=store, lead=lead, kind=TaskKind.REACTIVATE, due_on=due)

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(store=store, lead=lead, kind=TaskKind.REACTIVATE, due_on=due)


# --- Notifications read in the user's store ------------------------------------------------
def test_unread_count_and_mark_read_cover_the_users_store(store, consultant):
    lead = LeadFactory(store=store, owner=consultant)
    Notification.objects.create(store=store, user=consultant, lead=lead,
                                kind=EventKind.ASSIGNED)
    Notification.objects.create(store=store, user=consultant, lead=lead,
                                kind=EventKind.OVERDUE,
                                created_at=timezone.now() - dt.timedelta(hours=1))

    assert unread_count(consultant) == 2
    assert notification_mark_all_read(user=consultant) == 2
    assert unread_count(consultant) == 0
