"""Reads of the team board (per-consultant figures, overdue leads), lost requests and the
lost report, scoped to the user's store and teams.

Every figure of a section comes from one annotated query (conditional counts), never
from a query per consultant.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from dealership.enums import Role
from dealership.models import User
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
