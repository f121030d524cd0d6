"""factory_boy factories of the leads stage.

`LeadFactory(store=store, owner=consultant)` gives a new walk-in B lead of a customer of
the same store, due for its next touch in a week.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from leads.enums import (
    Channel,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    TouchKind,
    TouchOutcome,
)
from leads.models import Campaign, Lead, LostRequest, Touch
from tests.factories import CustomerFactory, StoreFactory, clock_now


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"活动{n}")
    channel = Channel.VERTICAL_MEDIA
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    budget = Decimal("50000.00")


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(
        CustomerFactory,
        store=factory.SelfAttribute("..store"),
        owner=factory.SelfAttribute("..owner"),
    )
    owner = None
    channel = Channel.WALK_IN
    grade = Grade.B
    status = LeadStatus.NEW
    created_at = factory.LazyFunction(clock_now)
    assigned_at = factory.LazyAttribute(lambda o: o.created_at if o.owner else None)
    follow_up_due_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(days=7))


class TouchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touch

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    kind = TouchKind.CALL
    outcome = TouchOutcome.REACHED
    note = "电话沟通，客户关注落地价"
    by = factory.LazyAttribute(lambda o: o.lead.owner)
    created_at = factory.LazyFunction(clock_now)


class LostRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LostRequest

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    reason = LostReason.BOUGHT_COMPETITOR
    note = "客户已在别家提车"
    requested_by = factory.LazyAttribute(lambda o: o.lead.owner)
    requested_at = factory.LazyFunction(clock_now)
    status = LostRequestStatus.PENDING
