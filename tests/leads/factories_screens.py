"""Factories for the lead screens' tests: timeline events, tasks and notifications."""

from __future__ import annotations

import factory
from django.utils import timezone

from leads.enums import EventKind, TaskKind
from leads.models import LeadEvent, Notification, Task
from tests.factories import clock_now
from tests.leads.factories import LeadFactory


class LeadEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadEvent

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    kind = EventKind.TOUCH
    actor = factory.LazyAttribute(lambda o: o.lead.owner)
    data = factory.LazyFunction(lambda: {"how": "call", "outcome": "reached"})
    note = "电话沟通"
    created_at = factory.LazyFunction(clock_now)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    assignee = factory.LazyAttribute(lambda o: o.lead.owner)
    kind = TaskKind.REACTIVATE
    due_on = factory.LazyFunction(timezone.localdate)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    lead = factory.SubFactory(LeadFactory)
    store = factory.LazyAttribute(lambda o: o.lead.store)
    user = factory.LazyAttribute(lambda o: o.lead.owner)
    kind = EventKind.ASSIGNED
    created_at = factory.LazyFunction(clock_now)
