"""Reads of the supervisor's and manager's screens, scoped to the user's store and teams.

Every figure of a section comes from one annotated query (conditional counts), never
from a query per consultant or per campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from dealership.enums import Role
from dealership.models import AuditEntry, Store, User
from dealership.selectors import audit_entries_for
from leads.enums import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    ONLINE_CHANNELS,
    OPEN_STATUSES,
    Channel,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
)
from leads.models import Campaign, Lead, LeadPolicy, LostRequest
from leads.selectors import lead_scope_for_user

# A campaign's "visits": leads that reached the showroom (the showroom stage comes later).
VISITED_STATUSES = (LeadStatus.VISITED, LeadStatus.TEST_DRIVEN, LeadStatus.NEGOTIATING,
                    LeadStatus.WON)
OVERDUE_LIMIT = 20
LOST_REQUEST_LIMIT = 50


# --- Periods in the store's time zone ------------------------------------------------------
@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date
    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive (midnight after the last day)


def period_for(store: Store, first_day: dt.date, last_day: dt.date) -> Period:
    start, _end = store.day_bounds(first_day)
    _start, end = store.day_bounds(last_day)
    return Period(first_day, last_day, start, end)


def store_today(store: Store, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(store.tzinfo).date()


def this_month(store: Store, now: dt.datetime | None = None) -> Period:
    today = store_today(store, now)
    return period_for(store, today.replace(day=1), today)


def ratio(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """numerator ÷ denominator to two places; None (shown "—") for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"),
                                                                      ROUND_HALF_UP)


# --- Team board --------------------------------------------------------------------------
def board_consultants(*, user: User) -> QuerySet[User]:
    """Consultants on the user's board: a supervisor's teams, or the manager's store."""
    consultants = User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT,
                                      is_active=True)
    if user.role != Role.MANAGER:
        consultants = consultants.filter(team__supervisor=user)
    return consultants


def board_rows(*, user: User, policy: LeadPolicy, now: dt.datetime) -> list[User]:
    """Per consultant: open, overdue, first-contact SLA breaches this month, open by grade.

    A breach: an online lead created this month whose first touch came later than the
    policy allows, or has not come although the time is up.
    """
    allowed = dt.timedelta(minutes=policy.first_contact_minutes)
    month = this_month(user.store, now)
    is_open = Q(leads__status__in=OPEN_STATUSES)
    breached = Q(leads__channel__in=ONLINE_CHANNELS, leads__created_at__gte=month.start,
                 leads__created_at__lt=month.end) & (
        Q(leads__first_touch_at__gt=F("leads__created_at") + allowed)
        | Q(leads__first_touch_at__isnull=True, leads__created_at__lt=now - allowed))
    grades = {f"grade_{grade.lower()}": Count("leads", filter=is_open & Q(leads__grade=grade))
              for grade in Grade.values}
    return list(
        board_consultants(user=user).select_related("team")
        .annotate(
            open_count=Count("leads", filter=is_open),
            overdue_count=Count("leads", filter=Q(leads__status__in=ACTIVE_STATUSES,
                                                  leads__follow_up_due_at__lt=now)),
            sla_breaches=Count("leads", filter=breached),
            **grades,
        )
        .order_by("team__name", "name", "username")
    )


def board_overdue_leads(*, user: User, now: dt.datetime) -> list[Lead]:
    """The team's most overdue leads, the longest waiting first."""
    return list(
        lead_scope_for_user(user).overdue(now).filter(owner__isnull=False)
        .select_related("customer", "owner")
        .order_by("follow_up_due_at", "id")[:OVERDUE_LIMIT]
    )


def lost_requests_for_user(user: User) -> QuerySet[LostRequest]:
    scope = lead_scope_for_user(user)
    return LostRequest.objects.filter(lead__in=scope.values("pk")).select_related(
        "lead", "lead__customer", "lead__owner", "requested_by", "decided_by")


def board_lost_requests(*, user: User) -> list[LostRequest]:
    return list(lost_requests_for_user(user).filter(status=LostRequestStatus.PENDING)
                .order_by("requested_at", "id")[:LOST_REQUEST_LIMIT])


def lost_request_get_for_user(*, user: User, pk: int) -> LostRequest:
    try:
        return lost_requests_for_user(user).get(pk=pk)
    except LostRequest.DoesNotExist:
        raise Http404 from None


# --- Lost report -------------------------------------------------------------------------
def _closed_in(user: User, period: Period) -> QuerySet[Lead]:
    return lead_scope_for_user(user).filter(status__in=CLOSED_STATUSES,
                                            closed_at__gte=period.start,
                                            closed_at__lt=period.end)


def lost_report(*, user: User, period: Period) -> dict:
    """Leads closed as lost in the period: by reason, by consultant, by channel. The lost
    rate is lost ÷ closed (won or lost) in the period."""
    closed = _closed_in(user, period)
    is_lost = Q(status=LeadStatus.LOST)
    by_reason = dict(closed.filter(is_lost).order_by().values_list("lost_reason")
                     .annotate(n=Count("id")).values_list("lost_reason", "n"))
    total = sum(by_reason.values())
    reasons = [{"label": reason.label, "code": reason.value, "lost": by_reason.get(reason, 0),
                "share": percent(by_reason.get(reason, 0), total)} for reason in LostReason]
    consultants = [
        {**row, "rate": percent(row["lost"], row["closed"])}
        for row in closed.filter(owner__isnull=False).order_by()
        .values("owner_id", "owner__name", "owner__username")
        .annotate(lost=Count("id", filter=is_lost), closed=Count("id"))
        .order_by("-lost", "owner__name", "owner_id")
    ]
    by_channel = {row["channel"]: row for row in closed.order_by().values("channel")
                  .annotate(lost=Count("id", filter=is_lost), closed=Count("id"))}
    channels = []
    for channel in Channel:
        row = by_channel.get(channel, {"lost": 0, "closed": 0})
        channels.append({"label": channel.label, "code": channel.value, "lost": row["lost"],
                         "closed": row["closed"], "rate": percent(row["lost"], row["closed"])})
    return {"total": total, "reasons": reasons, "consultants": consultants,
            "channels": channels}


# --- Pool --------------------------------------------------------------------------------
def pool_for_user(*, user: User) -> QuerySet[Lead]:
    """Open leads of the user's store that nobody owns, the longest waiting first."""
    return (Lead.objects.filter(store_id=user.store_id).in_pool()
            .select_related("customer", "campaign")
            .order_by(F("pooled_at").asc(nulls_last=True), "id"))


def pool_lead_get_for_user(*, user: User, pk: int) -> Lead:
    """A lead of the user's store: whether it is still in the pool is the service's call
    (someone may have claimed it a second ago, which deserves a message, not a 404)."""
    try:
        return Lead.objects.select_related("customer", "owner", "store").get(
            pk=pk, store_id=user.store_id)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


def assignable_consultants(*, user: User) -> QuerySet[User]:
    """Who a lead from the pool may go to: the store's (a supervisor: their teams')."""
    return board_consultants(user=user).order_by("name", "username")


# --- Campaigns ---------------------------------------------------------------------------
def _with_figures(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return campaigns.annotate(
        lead_count=Count("leads"),
        visit_count=Count("leads", filter=Q(leads__status__in=VISITED_STATUSES)),
        deal_count=Count("leads", filter=Q(leads__status=LeadStatus.WON)),
    )


def with_costs(campaign: Campaign) -> Campaign:
    """Cost per lead and per deal from the annotated counts (None when nothing to divide)."""
    campaign.cost_per_lead = ratio(campaign.budget, campaign.lead_count)
    campaign.cost_per_deal = ratio(campaign.budget, campaign.deal_count)
    return campaign


def campaign_list_for_user(*, user: User) -> QuerySet[Campaign]:
    return _with_figures(Campaign.objects.filter(store_id=user.store_id)).order_by(
        "-starts_on", "name", "id")


def campaign_get_for_user(*, user: User, pk: int) -> Campaign:
    try:
        return with_costs(campaign_list_for_user(user=user).get(pk=pk))
    except (Campaign.DoesNotExist, ValueError):
        raise Http404 from None


def campaign_leads(*, user: User, campaign: Campaign) -> QuerySet[Lead]:
    """The campaign's leads this user may open (a supervisor: their teams')."""
    return (lead_scope_for_user(user).filter(campaign=campaign)
            .select_related("customer", "owner").order_by("-created_at", "-id"))


# --- Marketing home ----------------------------------------------------------------------
def leads_by_channel(*, store: Store, period: Period) -> list[dict]:
    """Every channel with its leads created in the period (zero included)."""
    counts = dict(Lead.objects.filter(store=store, created_at__gte=period.start,
                                      created_at__lt=period.end)
                  .order_by().values_list("channel").annotate(n=Count("id"))
                  .values_list("channel", "n"))
    total = sum(counts.values())
    return [{"code": channel.value, "label": channel.label, "leads": counts.get(channel, 0),
             "share": percent(counts.get(channel, 0), total)} for channel in Channel]


def leads_by_campaign(*, store: Store, period: Period, limit: int = 10) -> list[Campaign]:
    """Campaigns with leads created in the period, the busiest first."""
    in_period = Q(leads__created_at__gte=period.start, leads__created_at__lt=period.end)
    return list(
        Campaign.objects.filter(store=store)
        .annotate(period_leads=Count("leads", filter=in_period),
                  period_deals=Count("leads", filter=in_period
                                     & Q(leads__status=LeadStatus.WON)))
        .filter(period_leads__gt=0).order_by("-period_leads", "name")[:limit]
    )


def campaigns_running(*, store: Store, today: dt.date) -> int:
    return Campaign.objects.filter(store=store, starts_on__lte=today,
                                   ends_on__gte=today).count()


# --- Team page ---------------------------------------------------------------------------
def _count(rows: QuerySet, field: str) -> Coalesce:
    """How many of `rows` point at the outer row through `field` (a correlated subquery,
    so two figures never multiply each other's joins)."""
    counted = (rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def team_consultants(*, user: User) -> list[User]:
    """Consultants of the store (a supervisor: their teams') with open leads, customers and
    on-duty state; one who has left stays listed while a book is still theirs."""
    from dealership.models import Customer

    consultants = User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
    if user.role == Role.SUPERVISOR:
        consultants = consultants.filter(team__supervisor=user)
    rows = (
        consultants.select_related("team")
        .annotate(open_leads=_count(Lead.objects.filter(status__in=OPEN_STATUSES), "owner"),
                  customers=_count(Customer.objects.all(), "owner"),
                  duty=F("routing__on_duty"))
        .filter(Q(is_active=True) | Q(open_leads__gt=0) | Q(customers__gt=0))
        .order_by("-is_active", "team__name", "name", "username")
    )
    result = list(rows)
    for row in result:
        row.on_duty = row.is_active and row.duty is not False  # no routing row yet: on duty
    return result


def team_consultant_get(*, user: User, pk: int) -> User:
    """A consultant of the user's store (404 otherwise), with their book's size."""
    from dealership.models import Customer

    try:
        return (User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
                .select_related("team")
                .annotate(open_leads=_count(Lead.objects.filter(status__in=OPEN_STATUSES),
                                            "owner"),
                          customers=_count(Customer.objects.all(), "owner"))
                .get(pk=pk))
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


# --- Policy ------------------------------------------------------------------------------
def policy_last_change(policy: LeadPolicy) -> AuditEntry | None:
    entries = list(audit_entries_for(instance=policy, limit=1))
    return entries[0] if entries else None
