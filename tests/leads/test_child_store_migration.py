"""The leads' child tables' store (leads 0013/0014) on a database made before it: each
lead event, touch and lost request takes its lead's store, each consent change its
customer's, in one statement per table. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from dealership.enums import Role
from leads.models import ConsentChange, LeadEvent, LostRequest, Touch
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.helpers import migrate, migrated_back

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration before the child tables carried their store.
BEFORE = [("leads", "0012_period_index")]
MOMENT = dt.datetime(2026, 11, 3, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def old_apps():
    """The database migrated back to BEFORE: its historical models."""
    with migrated_back(BEFORE) as apps:
        yield apps


def add_old_rows(apps, store) -> dict[str, int]:
    """A lead with an event, a touch and a lost request, and a consent change of its
    customer, written through the models before the migration; their ids."""
    customer = CustomerFactory(store=store)
    owner = UserFactory(role=Role.CONSULTANT, store=store, username=f"con-{store.code}")
    lead = apps.get_model("leads", "Lead").objects.create(
        store_id=store.pk, customer_id=customer.pk, owner_id=owner.pk, channel="walk_in",
        grade="B", created_at=MOMENT)
    event = apps.get_model("leads", "LeadEvent").objects.create(
        lead_id=lead.pk, kind="created", created_at=MOMENT)
    touch = apps.get_model("leads", "Touch").objects.create(
        lead_id=lead.pk, kind="call", outcome="reached", by_id=owner.pk, created_at=MOMENT)
    lost = apps.get_model("leads", "LostRequest").objects.create(
        lead_id=lead.pk, reason="price", requested_by_id=owner.pk, requested_at=MOMENT)
    consent = apps.get_model("leads", "ConsentChange").objects.create(
        customer_id=customer.pk, consent=True, source="staff", created_at=MOMENT)
    return {"event": event.pk, "touch": touch.pk, "lost": lost.pk, "consent": consent.pk}


def test_each_child_row_takes_its_parents_store(old_apps):
    here, there = StoreFactory(code="MIG1"), StoreFactory(code="MIG2")
    mine, theirs = add_old_rows(old_apps, here), add_old_rows(old_apps, there)

    migrate()

    for ids, store in ((mine, here), (theirs, there)):
        assert (LeadEvent.objects.get(pk=ids["event"]).store_id,
                Touch.objects.get(pk=ids["touch"]).store_id,
                LostRequest.objects.get(pk=ids["lost"]).store_id,
                ConsentChange.objects.get(pk=ids["consent"]).store_id) == (store.pk,) * 4
