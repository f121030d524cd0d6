"""Small helpers of the lead services: timeline rows, notifications, due dates. The later
stages write a lead's timeline through them too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from leads.enums import GRADE_FOR_WINDOW, Grade
from leads.models import Lead, LeadEvent, LeadPolicy, Notification


def grade_for(purchase_window: str | None) -> str:
    """A within 3 days, B within a month, C later; no stated window counts as later."""
    return GRADE_FOR_WINDOW.get(purchase_window or "", Grade.C)


def event(lead: Lead, kind: str, *, actor=None, note: str = "", **data) -> LeadEvent:
    return LeadEvent.objects.create(store_id=lead.store_id, lead=lead, kind=kind, actor=actor,
                                    note=note, data=data)


def lead_events_add(*, kind: str, note: str, at: dt.datetime,
                    rows: Iterable[tuple[int, dict]]) -> None:
    """The same timeline row on many leads at once, `rows` being (lead id, data) pairs: for
    a later stage's set-based job, one INSERT per thousand rows (and one read of the
    leads' stores)."""
    rows = list(rows)
    stores = dict(Lead.objects.filter(pk__in={lead_id for lead_id, _data in rows})
                  .values_list("pk", "store_id"))
    LeadEvent.objects.bulk_create(
        [LeadEvent(store_id=stores[lead_id], lead_id=lead_id, kind=kind, note=note,
                   created_at=at, data=data)
         for lead_id, data in rows], batch_size=1000)


def notify(lead: Lead, user, kind: str) -> None:
    if user is not None:
        Notification.objects.create(store_id=lead.store_id, user=user, lead=lead, kind=kind)


def next_due(lead: Lead, policy: LeadPolicy, *, since: dt.datetime) -> dt.datetime:
    """When the next touch is due: the grade's cadence, or the agreed date if sooner."""
    due = since + policy.cadence(lead.grade)
    if lead.next_follow_up_on:
        agreed = dt.datetime.combine(lead.next_follow_up_on, dt.time(23, 59),
                                     tzinfo=lead.store.tzinfo)
        due = min(due, agreed)
    return due
