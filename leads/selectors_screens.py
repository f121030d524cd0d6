"""Reads shaped for the consultant-facing lead screens: my leads, lead detail, my day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.permissions import is_customer_in_scope
from dealership.selectors import customer_scope_for_user
from dealership.validators import normalize_phone
from leads.enums import ACTIVE_STATUSES, CLOSED_STATUSES
from leads.filters import LeadFilter, end_of_local_day
from leads.models import Campaign, Lead, LeadEvent, LostRequest, Notification, Task
from leads.selectors import lead_scope_for_user

# Timeline rows that carry consultants' ids in their data.
OWNER_KEYS = ("from_owner", "to_owner")


def _with_overdue(leads: QuerySet[Lead], now: dt.datetime) -> QuerySet[Lead]:
    return leads.annotate(overdue=Case(
        When(status__in=ACTIVE_STATUSES, follow_up_due_at__lt=now, then=Value(True)),
        default=Value(False), output_field=BooleanField(),
    ))


def _rows(user: User, now: dt.datetime) -> QuerySet[Lead]:
    """What a list row shows, joined in: customer, owner, campaign; open leads first, then
    the most urgent due date."""
    closed = Case(When(status__in=CLOSED_STATUSES, then=Value(1)), default=Value(0))
    return (
        _with_overdue(lead_scope_for_user(user), now)
        .select_related("customer", "owner", "campaign")
        .order_by(closed, F("follow_up_due_at").asc(nulls_last=True), "-created_at", "-id")
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
    events = list(lead.events.select_related("actor").order_by("-created_at", "-id")[:limit])
    ids = {event.data.get(key) for event in events for key in OWNER_KEYS
           if isinstance(event.data, dict) and event.data.get(key)}
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=ids)} if ids else {}
    for event in events:
        event.people = names
    return events


def lost_requests_for(*, lead: Lead) -> list[LostRequest]:
    return list(lead.lost_requests.select_related("requested_by", "decided_by")
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


def my_day_for_user(*, user: User, cap: int = 20, now: dt.datetime | None = None) -> dict:
    """A consultant's day: overdue leads first, then due today, open tasks, unread
    notifications, and their customers; each list capped, each with its full count.

    A fixed number of queries whatever the size of the book.
    """
    now = now or timezone.now()
    mine = Lead.objects.filter(owner=user, store_id=user.store_id, status__in=ACTIVE_STATUSES)
    overdue = Q(follow_up_due_at__lt=now)
    due_today = Q(follow_up_due_at__gte=now, follow_up_due_at__lt=end_of_local_day(now))
    counts = mine.aggregate(overdue=Count("pk", filter=overdue),
                            due_today=Count("pk", filter=due_today))
    rows = mine.select_related("customer", "campaign")
    tasks = (Task.objects.filter(assignee=user, done_at__isnull=True)
             .select_related("lead__customer").order_by("due_on", "id"))
    notifications = (Notification.objects.filter(user=user, read_at__isnull=True)
                     .select_related("lead__customer").order_by("-created_at", "-id"))
    customers = customer_scope_for_user(user)
    return {
        "counts": counts,
        "overdue": list(_with_overdue(rows.filter(overdue), now)
                        .order_by("follow_up_due_at", "id")[:cap]),
        "due_today": list(rows.filter(due_today).order_by("follow_up_due_at", "id")[:cap]),
        # One row more than shown tells whether a "see all" link is needed.
        "tasks": list(tasks[:cap + 1]),
        "notifications": list(notifications[:cap + 1]),
        "customer_count": customers.count(),
        "recent_customers": list(customers.order_by("-created_at", "-id")[:10]),
        "cap": cap,
    }

