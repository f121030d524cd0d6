"""Reads of the team board (per-consultant figures, overdue leads), lost requests and the
lost report, scoped to the user's store and teams.

Every figure of a section comes from one annotated query, never from a query per
consultant. The board's cost follows today's work, not the store's history: the open
figures are one pass over each consultant's entries in the partial index of open leads
(`lead_open_owner_idx`, read index-only), the month's breaches a range of their online
leads of the month (`lead_online_touch_idx`); correlated subqueries per consultant, so no
figure multiplies another's rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role
from leads.enums import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    ONLINE_CHANNELS,
    Channel,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
)
from leads.models import Lead, LeadPolicy, LostRequest
from leads.selectors.leads import lead_scope_for_user
from leads.selectors.periods import Period, percent, this_month

OVERDUE_LIMIT = 20
LOST_REQUEST_LIMIT = 50


# --- Team board --------------------------------------------------------------------------
def board_consultants(*, user: User) -> QuerySet[User]:
    """Consultants on the user's board: a supervisor's teams, or the manager's store."""
    consultants = User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT,
                                      is_active=True)
    if user.role != Role.MANAGER:
        consultants = consultants.filter(team__supervisor=user)
    return consultants


def count_per_consultant(rows: QuerySet, field: str = "owner",
                         **counted: Q) -> dict[str, Coalesce]:
    """Annotations for a queryset of consultants: for each name, how many of `rows` point
    at the consultant through `field` and match its condition — one correlated subquery
    per figure, each reading only that consultant's `rows`."""
    figures = {}
    for name, condition in counted.items():
        subquery = (rows.filter(condition, **{field: OuterRef("pk")}).order_by()
                    .values(field).annotate(n=Count("*")).values("n"))
        figures[name] = Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))
    return figures


def figures_per_consultant(rows: QuerySet, field: str = "owner", **counted: Q) -> Subquery:
    """An annotation for a queryset of consultants: one JSON object with, for each name,
    how many of `rows` point at the consultant through `field` and match its condition —
    all the figures from a single pass over that consultant's `rows`."""
    # Counting `field` (never NULL here) keeps the read index-only.
    figures = JSONObject(**{name: Count(field, filter=condition)
                            for name, condition in counted.items()})
    per_consultant = (rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
                      .annotate(figures=figures).values("figures"))
    return Subquery(per_consultant, output_field=JSONField())


def board_rows(*, user: User, policy: LeadPolicy, now: dt.datetime) -> list[User]:
    """Per consultant: open, overdue, first-contact SLA breaches this month, open by grade.

    A breach: an online lead created this month whose first touch came later than the
    policy allows, or has not come although the time is up (the lead may be closed by
    now: the month's rows, not only open ones).
    """
    allowed = dt.timedelta(minutes=policy.first_contact_minutes)
    month = this_month(user.store, now)
    # The open figures come from one pass over the consultant's entries in the index of
    # open leads (it holds status, grade and due time); the breaches from the month's rows.
    open_leads = Lead.objects.filter(store_id=user.store_id, open=True)
    month_online = Lead.objects.filter(store_id=user.store_id, created_at__gte=month.start,
                                       created_at__lt=month.end, channel__in=ONLINE_CHANNELS)
    breached = (Q(first_touch_at__gt=F("created_at") + allowed)
                | Q(first_touch_at__isnull=True, created_at__lt=now - allowed))
    open_figures = {
        "open_count": Q(),
        "overdue_count": Q(status__in=ACTIVE_STATUSES, follow_up_due_at__lt=now),
        **{f"grade_{grade.lower()}": Q(grade=grade) for grade in Grade.values},
    }
    members = list(
        board_consultants(user=user).select_related("team")
        .annotate(open_figures=figures_per_consultant(open_leads, **open_figures),
                  **count_per_consultant(month_online, sla_breaches=breached))
        .order_by("team__name", "name", "username")
    )
    for member in members:
        figures = member.open_figures or {}  # None: no open lead at all
        for name in open_figures:
            setattr(member, name, figures.get(name, 0))
    return members


def board_overdue_leads(*, user: User, now: dt.datetime) -> list[Lead]:
    """The team's most overdue leads, the longest waiting first: worked leads in due order
    (`lead_active_due_idx`), read up to the limit."""
    return list(
        lead_scope_for_user(user).overdue(now).filter(owner__isnull=False)
        .select_related("customer", "owner")
        .order_by("follow_up_due_at", "id")[:OVERDUE_LIMIT]
    )


def lost_requests_for_user(user: User) -> QuerySet[LostRequest]:
    scope = lead_scope_for_user(user)
    requests = LostRequest.objects.filter(lead__in=scope.values("pk"))
    if not has_role(user, Role.ADMIN):  # as the scope: the user's store only
        requests = requests.filter(store_id=user.store_id)
    return requests.select_related(
        "lead", "lead__customer", "lead__owner", "requested_by", "decided_by")


def board_lost_requests(*, user: User) -> list[LostRequest]:
    """The oldest pending requests (`lost_request_pending_idx`), up to the limit."""
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
