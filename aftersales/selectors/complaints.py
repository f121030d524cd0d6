"""Complaints: who sees which, the clocks of one complaint, the board by SLA state, the
list, the detail page.

Scope (aftersales.permissions): customer care, supervisor and manager see the store's
complaints; a consultant those of their own customers; a service advisor those owned by
the service department; nobody else any. Outside scope answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import (
    OPEN_COMPLAINT_STATUSES,
    ComplaintClock,
    ComplaintDepartment,
    ComplaintStatus,
)
from aftersales.models import Complaint, ComplaintBreach, ComplaintEvent
from aftersales.permissions import COMPLAINT_WORK_ROLES
from aftersales.services.complaints import CLOCK_FIELDS, CLOCK_LENGTHS
from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role

# Less than this share of a clock left: "due soon".
DUE_SOON_SHARE = 0.25
# The board's closed section: complaints closed within these days, newest first.
CLOSED_SHOWN_DAYS = 30
CLOSED_SHOWN = 10


# --- Scope -----------------------------------------------------------------------------------
def complaint_scope_q(user: User) -> Q:
    if not user.is_authenticated or user.store_id is None:
        return Q(pk__in=[])
    store = Q(store_id=user.store_id)
    if has_role(user, *COMPLAINT_WORK_ROLES):
        return store
    if has_role(user, Role.CONSULTANT):
        return store & Q(customer__owner=user)
    if has_role(user, Role.SERVICE_ADVISOR):
        return store & Q(department=ComplaintDepartment.SERVICE)
    return Q(pk__in=[])


def complaints_for_user(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complaint_scope_q(user))


def complaint_get_for_user(*, user: User, pk: int) -> Complaint:
    """The complaint with what its page shows (customer, consultant, handler, contract,
    events with their actors, breaches); Http404 outside the user's scope."""
    complaint = (complaints_for_user(user)
                 .select_related("store", "customer__owner", "handler", "contract")
                 .prefetch_related(
                     Prefetch("events", queryset=ComplaintEvent.objects
                              .select_related("actor").order_by("-created_at", "-id")),
                     Prefetch("breaches", queryset=ComplaintBreach.objects
                              .order_by("-created_at", "-id")))
                 .filter(pk=pk).first())
    if complaint is None:
        raise Http404
    return complaint


# --- Clocks ----------------------------------------------------------------------------------
class ClockState:
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"


class SlaState:
    BREACHED = "breached"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    AWAITING_FEEDBACK = "awaiting_feedback"
    CLOSED = "closed"


SLA_LABELS = {
    SlaState.BREACHED: _("Breached"),
    SlaState.DUE_SOON: _("Due soon"),
    SlaState.ON_TRACK: _("On track"),
    SlaState.AWAITING_FEEDBACK: _("Awaiting the customer's feedback"),
    SlaState.CLOSED: _("Closed"),
}
SLA_ORDER = (SlaState.BREACHED, SlaState.DUE_SOON, SlaState.ON_TRACK,
             SlaState.AWAITING_FEEDBACK, SlaState.CLOSED)


@dataclass(frozen=True)
class Clock:
    """One deadline of the current round, as of `now`. `left` is the time left while it
    runs (negative once overdue); `late_by` how late it was stopped, when it was."""

    clock: str
    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    state: str
    left: dt.timedelta | None
    late_by: dt.timedelta | None
    due_soon: bool

    @property
    def overdue_by(self) -> dt.timedelta | None:
        return -self.left if self.left is not None and self.left < dt.timedelta(0) else None


def complaint_clock_states(complaint: Complaint, now: dt.datetime) -> list[Clock]:
    """The three clocks of the complaint's current round (no query): met (stopped in time),
    breached (stopped late, or still running past its due time), running (time left)."""
    clocks = []
    for clock, (due_field, done_field) in CLOCK_FIELDS.items():
        due_at, done_at = getattr(complaint, due_field), getattr(complaint, done_field)
        left = late_by = None
        due_soon = False
        if done_at is not None:
            late = done_at > due_at
            state = ClockState.BREACHED if late else ClockState.MET
            late_by = done_at - due_at if late else None
        else:
            left = due_at - now
            state = ClockState.BREACHED if left < dt.timedelta(0) else ClockState.RUNNING
            due_soon = (state == ClockState.RUNNING
                        and left < CLOCK_LENGTHS[clock] * DUE_SOON_SHARE)
        clocks.append(Clock(clock=clock, label=ComplaintClock(clock).label, due_at=due_at,
                            done_at=done_at, state=state, left=left, late_by=late_by,
                            due_soon=due_soon))
    return clocks


def complaint_sla_state(complaint: Complaint, now: dt.datetime,
                        clocks: list[Clock] | None = None) -> str:
    """Closed; awaiting feedback (resolved); breached (a clock still running is past due);
    due soon (a running clock has less than a quarter of its length left); on track."""
    if complaint.status == ComplaintStatus.CLOSED:
        return SlaState.CLOSED
    if complaint.status == ComplaintStatus.RESOLVED:
        return SlaState.AWAITING_FEEDBACK
    clocks = clocks if clocks is not None else complaint_clock_states(complaint, now)
    running = [c for c in clocks if c.done_at is None]
    if any(c.state == ClockState.BREACHED for c in running):
        return SlaState.BREACHED
    if any(c.due_soon for c in running):
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


def complaint_met_all_deadlines(complaint: Complaint,
                                now: dt.datetime | None = None) -> bool | None:
    """DESIGN §3 "complaint SLA": did the complaint meet all three deadlines (of its current
    round)? True once every clock stopped in time; False as soon as one was stopped late or
    is running past due; None while the outcome is open (a clock still running in time).
    No query."""
    now = now or timezone.now()
    clocks = complaint_clock_states(complaint, now)
    if any(c.state == ClockState.BREACHED for c in clocks):
        return False
    if all(c.state == ClockState.MET for c in clocks):
        return True
    return None


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    clocks: list[Clock]
    sla: str

    @property
    def sla_label(self) -> str:
        return SLA_LABELS[self.sla]

    @property
    def next_clock(self) -> Clock | None:
        """The running clock due first (what the handler must do next)."""
        running = [c for c in self.clocks if c.done_at is None]
        return min(running, key=lambda c: c.due_at) if running else None


def complaint_rows(complaints, now: dt.datetime) -> list[ComplaintRow]:
    rows = []
    for complaint in complaints:
        clocks = complaint_clock_states(complaint, now)
        rows.append(ComplaintRow(complaint=complaint, clocks=clocks,
                                 sla=complaint_sla_state(complaint, now, clocks)))
    return rows


# --- Board and list --------------------------------------------------------------------------
def _filtered(queryset: QuerySet[Complaint], filters: dict) -> QuerySet[Complaint]:
    for name in ("category", "severity", "department", "status"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("handler"):
        queryset = queryset.filter(handler=filters["handler"])
    if filters.get("q"):
        term = filters["q"].strip()
        queryset = queryset.filter(Q(number__icontains=term) | Q(summary__icontains=term)
                                   | Q(customer__name__icontains=term))
    return queryset


def _for_rows(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("customer", "handler")


def complaint_board(*, user: User, filters: dict, now: dt.datetime) -> dict:
    """The open complaints of the user's scope by SLA state (every one: a store has tens
    open, not thousands), most urgent first, and the latest closed ones; three queries."""
    scoped = _filtered(complaints_for_user(user), filters)
    open_rows = complaint_rows(
        _for_rows(scoped.filter(status__in=OPEN_COMPLAINT_STATUSES))
        .order_by("resolution_due_at", "id"), now)
    since = now - dt.timedelta(days=CLOSED_SHOWN_DAYS)
    closed = scoped.filter(status=ComplaintStatus.CLOSED, closed_at__gte=since)
    closed_count = closed.aggregate(n=Count("id"))["n"]
    closed_rows = complaint_rows(_for_rows(closed).order_by("-closed_at", "-id")[:CLOSED_SHOWN],
                                 now)
    sections = {state: [] for state in SLA_ORDER}
    for row in open_rows:
        sections[row.sla].append(row)
    for state in (SlaState.BREACHED, SlaState.DUE_SOON, SlaState.ON_TRACK):
        sections[state].sort(key=lambda row: row.next_clock.due_at if row.next_clock
                             else row.complaint.resolution_due_at)
    sections[SlaState.CLOSED] = closed_rows
    counts = {state: len(rows) for state, rows in sections.items()}
    counts[SlaState.CLOSED] = closed_count
    return {"sections": [{"state": state, "label": SLA_LABELS[state], "rows": sections[state],
                          "count": counts[state]} for state in SLA_ORDER],
            "open_count": len(open_rows)}


def complaint_list_for_user(*, user: User, filters: dict) -> QuerySet[Complaint]:
    """Every complaint of the user's scope, newest first, filtered (paginated by the view)."""
    return _for_rows(_filtered(complaints_for_user(user), filters)).order_by("-received_at",
                                                                            "-id")
