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
from leads.models import Campaign, ConsentChange, Lead, LeadIntake
from leads.selectors.policy import policy_for
from leads.services.events import event, grade_for, next_due, notify
from leads.services.routing import lead_route


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    duplicate: bool  # the phone was already a customer of the store


def _intake_result(store: Store, channel: str, external_id: str) -> CaptureResult | None:
    intake = (LeadIntake.objects.filter(store=store, channel=channel, external_id=external_id)
              .select_related("lead__owner").first())
    return CaptureResult(lead=intake.lead, duplicate=intake.duplicate) if intake else None


def _customer_for_phone(*, store: Store, phone: str, name: str, city: str,
                        actor: User | None) -> tuple[Customer, bool]:
    """The store's customer with this phone, created if new. (customer, existed)."""
    existing = Customer.objects.select_for_update().filter(store=store, phone=phone).first()
    if existing is not None:
        return existing, True
    try:
        with transaction.atomic():  # savepoint: the unique constraint decides a race
            customer = Customer.objects.create(store=store, phone=phone, name=name, city=city)
    except IntegrityError:
        return Customer.objects.select_for_update().get(store=store, phone=phone), True
    audit_created(actor=actor, instance=customer)
    return customer, False


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

    Side effects: customer (new phone), lead, timeline rows, notification, intake row.
    """
    if external_id and (known := _intake_result(store, channel, external_id)):
        return known
    now = timezone.now()
    created_at = created_at or now
    policy = policy_for(store)
    with transaction.atomic():
        customer, existed = _customer_for_phone(store=store, phone=phone, name=name,
                                                city=city, actor=actor)
        if marketing_consent and not customer.marketing_consent:
            Customer.objects.filter(pk=customer.pk).update(
                marketing_consent=True, consent_at=now,
                consent_source=consent_source or ConsentSource.OTHER)
            ConsentChange.objects.create(customer=customer, consent=True, actor=actor,
                                         source=consent_source or ConsentSource.OTHER)
        open_lead = (Lead.objects.select_for_update(of=("self",)).filter(customer=customer,
                     status__in=OPEN_STATUSES).select_related("owner", "store")
                     .order_by("-created_at").first()) if existed else None
        if open_lead is not None:
            lead = open_lead
            event(lead, EventKind.ENQUIRY, actor=actor, note=note, channel=channel,
                  model_interest=model_interest, purchase_window=purchase_window)
            notify(lead, lead.owner, EventKind.ENQUIRY)
        else:
            grade = grade_for(purchase_window)
            keeper = customer.owner if (customer.owner and customer.owner.is_active) else None
            owner_chosen = keeper is None and owner is not None
            owner = keeper or owner or lead_route(store=store, grade=grade)
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
            if owner is not None and customer.owner_id != owner.pk:
                Customer.objects.filter(pk=customer.pk).update(owner=owner)
            event(lead, EventKind.CREATED, actor=actor, channel=channel, grade=grade,
                  duplicate=existed)
            if owner is not None:
                event(lead, EventKind.ASSIGNED, actor=actor, to_owner=owner.pk,
                      reason="customer" if keeper else ("chosen" if owner_chosen else "routing"))
                notify(lead, owner, EventKind.ENQUIRY if existed else EventKind.ASSIGNED)
        replayed = False
        if external_id:
            try:
                with transaction.atomic():
                    LeadIntake.objects.create(store=store, channel=channel, lead=lead,
                                              external_id=external_id, duplicate=existed)
            except IntegrityError:
                # The same external id arrived twice at once; the first one's result stands
                # (even though this request, waiting on the customer row, saw the first
                # one's customer and lead and would have called itself a duplicate).
                replayed = True
                transaction.set_rollback(True)
    if replayed:
        return _intake_result(store, channel, external_id)
    return CaptureResult(lead=lead, duplicate=existed)
