"""The manager's home: the live store overview (issue 13 §10). Every card reads through
the stage that owns its rows (contracts' approvals and review queue, delivery's calendar,
after-sales' complaint clocks); the §3 figures come from reports.metrics and the month
against target from reports.selectors.targets. A fixed number of queries whatever the
number of rows (HOME_QUERIES)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from aftersales.enums import OPEN_COMPLAINT_STATUSES
from aftersales.selectors.complaints import (
    ComplaintRow,
    SlaState,
    complaint_rows,
    complaints_for_user,
)
from contracts.enums import ApprovalStatus, ApprovalTier
from contracts.models import ApprovalRequest, Contract
from contracts.selectors.approvals import approval_scope_for_user
from contracts.selectors.contracts import review_queue_for_user
from dealership.models import User
from delivery.selectors.handover import CalendarRow, delivery_calendar_for_user
from reports.metrics import FIGURES_QUERIES, Figures, store_figures
from reports.selectors.targets import TARGET_BOARD_QUERIES, TargetBoard, target_board

# approvals 1, review queue 1, deliveries 6 at most (the calendar's inspection reads run only
# when a car is allocated), complaints 1
HOME_QUERIES = FIGURES_QUERIES + TARGET_BOARD_QUERIES + 1 + 1 + 6 + 1
AT_RISK = (SlaState.BREACHED, SlaState.DUE_SOON)


@dataclass
class StoreOverview:
    figures: Figures
    board: TargetBoard
    approvals: list[ApprovalRequest]
    to_review: list[Contract]
    deliveries: list[CalendarRow]
    complaints_at_risk: list[ComplaintRow]


def store_overview_for(*, user: User) -> StoreOverview:
    """Today in the manager's store: today's §3 figures, the month to date against target,
    the discount approvals waiting for the manager, the contracts sent for review, today's
    deliveries, the open complaints whose clocks are breached or due soon (breached first)."""
    store = user.store
    today = store.today()
    now = timezone.now()
    approvals = list(
        approval_scope_for_user(user)
        .filter(status=ApprovalStatus.PENDING, tier=ApprovalTier.MANAGER)
        .exclude(requested_by=user)
        .select_related("quote__customer", "requested_by").order_by("requested_at", "id"))
    complaints = complaints_for_user(user).filter(
        status__in=OPEN_COMPLAINT_STATUSES).select_related("customer", "handler")
    at_risk = [row for row in complaint_rows(complaints, now) if row.sla in AT_RISK]
    at_risk.sort(key=lambda row: (AT_RISK.index(row.sla),
                                  row.next_clock.due_at if row.next_clock else now))
    return StoreOverview(
        figures=store_figures(store=store, first_day=today, now=now),
        board=target_board(store=store, day=today),
        approvals=approvals,
        to_review=list(review_queue_for_user(user=user).select_related("customer")),
        deliveries=delivery_calendar_for_user(user=user, day=today),
        complaints_at_risk=at_risk,
    )
