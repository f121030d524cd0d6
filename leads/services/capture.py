"""A lead comes in: from the quick form, the intake API or a CSV import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from dealership.enums import ConsentSource
from dealership.models import Customer, Store, User
from dealership.services.audit import audit_created
from leads.enums import ONLINE_CHANNELS, OPEN_STATUSES, EventKind, LeadStatus
from leads.models import Campaign, ConsentChange, Lead, LeadEvent, LeadIntake, LeadPolicy
from leads.selectors.policy import policy_for
from leads.services.events import event, grade_for, next_due, notify
from leads.services.routing import lead_route, routing_loads_refresh


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    duplicate: bool  # the phone was already a customer of the store


def _intake_result(store: Store, channel: str, external_id: str) -> CaptureResult | None:
    intake = (LeadIntake.objects.filter(store=store, channel=channel, external_id=external_id)
              .select_related("lead__owner").first())
    return CaptureResult(lead=intake.lead, duplicate=intake.duplicate) if intake else None


def _policy(store: Store) -> LeadPolicy:
    """The store's lead policy: the one loaded with the store when the caller had it joined
    (the intake API reads key, store and policy in one query), else read."""
    descriptor = Store.lead_policy
    if descriptor.is_cached(store) and (cached := descriptor.related.get_cached_value(store)):
        return cached
    return policy_for(store)


def lead_capture(
    *, store: Store, actor: User | None, name: str, phone: str, channel: str,
    purchase_window: str = "", model_interest: str = "", budget_min: int | None = None,
    budget_max: int | None = None, city: str = "", note: str = "",
    marketing_consent: bool = False, consent_source: str = "", external_id: str = "",
    campaign: Campaign | None = None, owner: User | None = None,
    created_at: dt.datetime | None = None,
) -> CaptureResult:
    """Record an enquiry. `phone` is already E.164 (forms and the API normalise it).

    One customer per phone per store (防撞单): a known phone never creates a second
    customer. If the customer has an open lead, the enquiry is added to its timeline and
    its owner notified; otherwise a new lead goes to the customer's consultant, or is
    routed (A → senior, C → junior) when the customer is new. The same
    (channel, external_id) again returns the first result and writes nothing.

    Side effects: customer (new phone), lead, timeline rows, notification, intake row, the
    owner's open-lead load.
    """
    fields = {"store": store, "actor": actor, "name": name, "phone": phone, "channel": channel,
              "purchase_window": purchase_window, "model_interest": model_interest,
              "budget_min": budget_min, "budget_max": budget_max, "city": city, "note": note,
              "marketing_consent": marketing_consent, "consent_source": consent_source,
              "external_id": external_id, "campaign": campaign, "owner": owner,
              "created_at": created_at}
    try:
        with transaction.atomic():
            return _capture(**fields)
    except IntegrityError:
        # A unique constraint decided a race (no savepoints on the way, so a new lead
        # costs fewer statements): another request created this phone's customer, or
        # recorded this external id, while this one waited for its row. That one's work is
        # committed; this one's was rolled back whole, routing turn included.
        pass
    if external_id and (known := _intake_result(store, channel, external_id)):
        return known  # the first request's answer (a replay, or the same id twice at once)
    with transaction.atomic():
        return _capture(**fields)  # the customer exists now: recorded as a duplicate


def _capture(
    *, store: Store, actor: User | None, name: str, phone: str, channel: str,
    purchase_window: str, model_interest: str, budget_min: int | None,
    budget_max: int | None, city: str, note: str, marketing_consent: bool,
    consent_source: str, external_id: str, campaign: Campaign | None, owner: User | None,
    created_at: dt.datetime | None,
) -> CaptureResult:
    now = timezone.now()
    created_at = created_at or now
    customer = (Customer.objects.select_for_update(of=("self",)).select_related("owner")
                .filter(store=store, phone=phone).first())
    existed = customer is not None
    open_lead = (Lead.objects.select_for_update(of=("self",)).filter(customer=customer,
                 status__in=OPEN_STATUSES).select_related("owner")
                 .order_by("-created_at").first()) if existed else None
    if open_lead is not None:
        lead = open_lead
        lead.store = store
        event(lead, EventKind.ENQUIRY, actor=actor, note=note, channel=channel,
              model_interest=model_interest, purchase_window=purchase_window)
        notify(lead, lead.owner, EventKind.ENQUIRY)
    else:
        grade = grade_for(purchase_window)
        keeper = customer.owner if (existed and customer.owner
                                    and customer.owner.is_active) else None
        owner_chosen = keeper is None and owner is not None
        routed = keeper is None and owner is None
        # Routing counts the lead in the chosen consultant's load; any other owner's load is
        # refreshed below.
        owner = keeper or owner or lead_route(store=store, grade=grade)
        if not existed:
            # The unique (store, phone) constraint decides a race: IntegrityError, and
            # lead_capture starts again with the other request's customer.
            customer = Customer.objects.create(store=store, phone=phone, name=name, city=city,
                                               owner=owner)
            audit_created(actor=actor, instance=customer)
        elif owner is not None and customer.owner_id != owner.pk:
            Customer.objects.filter(pk=customer.pk).update(owner=owner)
        policy = _policy(store)
        lead = Lead(
            store=store, customer=customer, owner=owner, channel=channel,
            campaign=campaign, purchase_window=purchase_window, grade=grade,
            model_interest=model_interest, budget_min=budget_min, budget_max=budget_max,
            note=note, status=LeadStatus.NEW, created_at=created_at,
            assigned_at=now if owner else None, pooled_at=None if owner else now,
        )
        if channel in ONLINE_CHANNELS:
            lead.follow_up_due_at = created_at + dt.timedelta(
                minutes=policy.first_contact_minutes)
        else:
            lead.follow_up_due_at = next_due(lead, policy, since=created_at)
        lead.save()
        events = [LeadEvent(store=store, lead=lead, kind=EventKind.CREATED, actor=actor,
                            data={"channel": channel, "grade": grade, "duplicate": existed})]
        if owner is not None:
            events.append(LeadEvent(
                store=store, lead=lead, kind=EventKind.ASSIGNED, actor=actor,
                data={"to_owner": owner.pk, "reason": "customer" if keeper else (
                    "chosen" if owner_chosen else "routing")}))
            notify(lead, owner, EventKind.ENQUIRY if existed else EventKind.ASSIGNED)
            if not routed:
                routing_loads_refresh(owner_ids=(owner.pk,))
        LeadEvent.objects.bulk_create(events)
    if marketing_consent and not customer.marketing_consent:
        Customer.objects.filter(pk=customer.pk).update(
            marketing_consent=True, consent_at=now,
            consent_source=consent_source or ConsentSource.OTHER)
        ConsentChange.objects.create(store_id=customer.store_id, customer=customer,
                                     consent=True, actor=actor,
                                     source=consent_source or ConsentSource.OTHER)
    if external_id:
        LeadIntake.objects.create(store=store, channel=channel, lead=lead,
                                  external_id=external_id, duplicate=existed)
    return CaptureResult(lead=lead, duplicate=existed)
