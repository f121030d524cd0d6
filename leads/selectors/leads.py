"""Reads of leads for the consultant-facing screens: the user's scope, my leads, the lead
page (timeline, lost requests, reassign candidates), capture and the phone check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.permissions import has_role, is_customer_in_scope
from dealership.validators import normalize_phone
from leads.enums import ACTIVE_STATUSES, CLOSED_STATUSES
from leads.filters import LeadFilter
from leads.models import Campaign, Lead, LeadEvent, LostRequest
from leads.permissions import LEAD_STORE_ROLES


def lead_scope_for_user(user: User) -> QuerySet[Lead]:
    leads = Lead.objects.all()
    if has_role(user, Role.ADMIN):
        return leads
    if user.store_id is None:
        return leads.none()
    leads = leads.filter(store_id=user.store_id)
    if user.role == Role.CONSULTANT:
        return leads.filter(owner=user)
    if user.role == Role.SUPERVISOR:
        return leads.filter(Q(owner=user) | Q(owner__team__supervisor=user)
                            | Q(owner__isnull=True))
    if user.role in LEAD_STORE_ROLES:
        return leads
    return leads.none()


def lead_get_for_user(*, user: User, pk: int) -> Lead:
    try:
        return lead_scope_for_user(user).select_related(
            "customer", "owner", "owner__team", "campaign", "store").get(pk=pk)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


# Timeline rows that carry consultants' ids in their data.
OWNER_KEYS = ("from_owner", "to_owner")


def with_overdue(leads: QuerySet[Lead], now: dt.datetime) -> QuerySet[Lead]:
    return leads.annotate(overdue=Case(
        When(status__in=ACTIVE_STATUSES, follow_up_due_at__lt=now, then=Value(True)),
        default=Value(False), output_field=BooleanField(),
    ))


LIST_ORDER = (F("open").desc(), F("follow_up_due_at").asc(nulls_last=True), F("created_at").desc(),
              F("id").desc())


def _rows(user: User, now: dt.datetime) -> QuerySet[Lead]:
    """What a list row shows, joined in: customer, owner, campaign; open leads first, then
    the most urgent due date, the newest. The order is `lead_list_idx`'s (the store's list)
    and `lead_owner_list_idx`'s (a consultant's), so a page reads its rows off the index
    instead of sorting the store's history; the pk ends it for keyset pages."""
    return (
        with_overdue(lead_scope_for_user(user), now)
        .select_related("customer", "owner", "campaign")
        .order_by(*LIST_ORDER)
    )


def lead_list_for_user(*, user: User, params, now: dt.datetime | None = None,
                       ) -> tuple[LeadFilter, QuerySet[Lead]]:
    """The "my leads" screen: (filterset, rows), scoped to the user's role and store."""
    now = now or timezone.now()
    filterset = LeadFilter(params or None, queryset=_rows(user, now), user=user, now=now)
    return filterset, filterset.qs


def lead_row_for_user(*, user: User, pk: int) -> Lead:
    """One list row (after an inline follow-up), 404 outside the user's scope."""
    try:
        return _rows(user, timezone.now()).get(pk=pk)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


def lead_timeline(*, lead: Lead, limit: int = 200) -> list[LeadEvent]:
    """The lead's events, newest first, each with `people`: the names of the consultants
    its data refers to (assignments), looked up in one query for the whole timeline."""
    events = list(lead.events.filter(store_id=lead.store_id).select_related("actor")
                  .order_by("-created_at", "-id")[:limit])
    ids = {event.data.get(key) for event in events for key in OWNER_KEYS
           if isinstance(event.data, dict) and event.data.get(key)}
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=ids)} if ids else {}
    for event in events:
        event.people = names
    return events


def lost_requests_for(*, lead: Lead) -> list[LostRequest]:
    return list(lead.lost_requests.filter(store_id=lead.store_id)
                .select_related("requested_by", "decided_by")
                .order_by("-requested_at", "-id")[:5])


def reassign_candidates(*, lead: Lead) -> QuerySet[User]:
    """The store's active consultants, for a supervisor's or manager's reassignment."""
    return (User.objects.filter(store_id=lead.store_id, role=Role.CONSULTANT, is_active=True)
            .select_related("team").order_by("name", "username"))


def capture_campaigns(*, store: Store | None) -> QuerySet[Campaign]:
    if store is None:
        return Campaign.objects.none()
    return Campaign.objects.for_store(store).order_by("-starts_on", "name")


@dataclass(frozen=True)
class PhoneCheck:
    """What the new-lead form says about a typed phone number."""

    state: str  # "empty", "invalid", "new", "known"
    phone: str = ""  # E.164 when valid
    owner_name: str = ""
    customer: Customer | None = None  # only when the user may open that customer
    has_open_lead: bool = False


def phone_check_for_user(*, user: User, raw: str) -> PhoneCheck:
    """Is this phone already a customer of the user's store, and who serves them?

    The customer's own name and number are only given when the customer is in the user's
    scope; otherwise the answer names the consultant alone (防撞单 without a leak).
    """
    digits = "".join(ch for ch in raw or "" if ch.isdigit())
    if len(digits) < 7:
        return PhoneCheck(state="empty")
    try:
        phone = normalize_phone(raw)
    except ValidationError:
        return PhoneCheck(state="invalid")
    if user.store_id is None:
        return PhoneCheck(state="new", phone=phone)
    customer = (
        Customer.objects.filter(store_id=user.store_id, phone=phone)
        .select_related("owner", "owner__team")
        .annotate(open_leads=Count("leads", filter=~Q(leads__status__in=CLOSED_STATUSES)))
        .first()
    )
    if customer is None:
        return PhoneCheck(state="new", phone=phone)
    return PhoneCheck(
        state="known", phone=phone,
        owner_name=str(customer.owner) if customer.owner_id else "",
        customer=customer if is_customer_in_scope(user, customer) else None,
        has_open_lead=customer.open_leads > 0,
    )
