"""Factories of invitations (邀约) and the daily showroom inspection.

`InvitationFactory(lead=lead)` gives an invitation of the lead's customer, expected
tomorrow at 10:00 (store time), booked by and for the lead's owner.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from showroom.enums import InvitationStatus
from showroom.models import InspectionCheck, InspectionItem, Invitation
from tests.factories import StoreFactory, clock_now
from tests.leads.factories import LeadFactory


def store_time(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at the store's local wall-clock time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def store_today(store) -> dt.date:
    return timezone.localdate(timezone.now(), store.tzinfo)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    consultant = factory.LazyAttribute(lambda o: o.lead.owner)
    created_by = factory.LazyAttribute(lambda o: o.lead.owner)
    expected_at = factory.LazyAttribute(
        lambda o: store_time(o.lead.store, store_today(o.lead.store) + dt.timedelta(days=1), 10))
    purpose = "试驾凯美瑞"
    status = InvitationStatus.SCHEDULED


class InspectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionItem

    store = factory.SubFactory(StoreFactory)
    text = factory.Sequence(lambda n: f"检查项{n}")
    position = factory.Sequence(lambda n: (n + 1) * 10)
    is_active = True


class InspectionCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionCheck

    item = factory.SubFactory(InspectionItemFactory)
    store = factory.LazyAttribute(lambda o: o.item.store)
    date = factory.LazyAttribute(lambda o: store_today(o.item.store))
    ok = True
    note = ""
    checked_at = factory.LazyFunction(clock_now)
