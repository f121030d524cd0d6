"""The leads stage's share of personal-data handling (registered with
`dealership.privacy` in LeadsConfig.ready()): its rows in a customer's export, their
anonymisation, what keeps a customer from the retention job, and consent withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dealership.models import Customer
from leads.enums import (
    OPEN_STATUSES,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    MessageStatus,
)
from leads.models import ConsentChange, Lead, LeadEvent, LostRequest, OutboundMessage, Task, Touch
from leads.services.routing import routing_loads_refresh

# Messages the outbox would still send: queued, or failed and due for another try.
UNSENT_STATUSES = (MessageStatus.QUEUED, MessageStatus.FAILED)


def leads_export(customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """The customer's leads and everything on them: one query per section."""
    on_leads = {"lead__customer": customer}
    return {
        "leads": list(Lead.objects.filter(customer=customer).order_by("created_at", "pk")
                      .values()),
        "lead_events": list(LeadEvent.objects.filter(**on_leads)
                            .order_by("created_at", "pk").values()),
        "lead_touches": list(Touch.objects.filter(**on_leads)
                             .order_by("created_at", "pk").values()),
        "lead_tasks": list(Task.objects.filter(**on_leads).order_by("due_on", "pk").values()),
        "lead_lost_requests": list(LostRequest.objects.filter(**on_leads)
                                   .order_by("requested_at", "pk").values()),
        "messages": list(OutboundMessage.objects.filter(customer=customer)
                         .order_by("created_at", "pk")
                         .values("id", "lead_id", "channel", "purpose", "body", "status",
                                 "created_at", "sent_at")),
        "consent_changes": list(ConsentChange.objects.filter(customer=customer)
                                .order_by("created_at", "pk").values()),
    }


def leads_anonymise(customer_ids: Sequence[int]) -> None:
    """Free text about the customers goes, their open leads are closed (nobody works a
    placeholder, and their owners' open-lead loads drop) and nothing is ever sent to them:
    unsent messages are suppressed and the text of every message is removed."""
    now = timezone.now()
    leads = Lead.objects.filter(customer_id__in=customer_ids)
    on_leads = {"lead__customer_id__in": customer_ids}
    open_leads = leads.filter(status__in=OPEN_STATUSES)
    owners = set(open_leads.exclude(owner=None).values_list("owner_id", flat=True))
    open_leads.update(status=LeadStatus.LOST, lost_reason=LostReason.OTHER, closed_at=now,
                      follow_up_due_at=None, next_follow_up_on=None)
    routing_loads_refresh(owner_ids=owners)
    leads.update(note="")
    LeadEvent.objects.filter(**on_leads).update(note="")
    Touch.objects.filter(**on_leads).update(note="")
    # The leads are closed as lost already: a request waiting for that decision is moot.
    LostRequest.objects.filter(**on_leads, status=LostRequestStatus.PENDING).update(
        status=LostRequestStatus.APPROVED, decided_at=now)
    LostRequest.objects.filter(**on_leads).update(note="", decision_note="")
    Task.objects.filter(**on_leads, done_at__isnull=True).update(done_at=now)
    messages = OutboundMessage.objects.filter(customer_id__in=customer_ids)
    messages.filter(status__in=UNSENT_STATUSES).update(status=MessageStatus.SUPPRESSED,
                                                       error="customer anonymised")
    messages.update(body="")
    ConsentChange.objects.filter(customer_id__in=customer_ids).update(note="")


def leads_retention_hold(customers: QuerySet[Customer], since: dt.datetime
                         ) -> QuerySet[Customer]:
    """Customers who bought (a won lead) or whose leads saw activity since `since`."""
    return customers.filter(
        Q(leads__status=LeadStatus.WON) | Q(leads__created_at__gte=since)
        | Q(leads__last_touch_at__gte=since) | Q(leads__closed_at__gte=since))


def messages_suppress_unsent(customer_ids: Sequence[int]) -> int:
    """Consent withdrawn: every message still to be sent to these customers is suppressed,
    in the caller's transaction. Returns how many."""
    return OutboundMessage.objects.filter(
        customer_id__in=customer_ids, status__in=UNSENT_STATUSES,
    ).update(status=MessageStatus.SUPPRESSED, error="consent withdrawn")
