"""Reads of the discount approvals screens: the approver's inbox, one request with its
quote's history, and the count for the navigation badge.

Who sees what: a supervisor the supervisor-tier requests on quotes of the consultants of
the teams they lead; the manager every request of the store. Nobody is asked to decide
a quote of their own (contracts.permissions.can_decide_approval says the same).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contracts.enums import ApprovalStatus, ApprovalTier
from contracts.models import ApprovalRequest, QuoteVersion
from contracts.permissions import APPROVER_ROLES, can_decide_approval, can_see_cost
from contracts.services.quotes import COSTED_STOCK_STATUSES
from dealership.enums import Role
from dealership.models import StockVehicle, User
from dealership.money import HUNDRED, fen
from dealership.permissions import has_role

TAB_MINE = "mine"
TAB_ALL = "all"
DECIDED_DAYS = 7
DECIDED_LIMIT = 10
# The stock a typical cost is averaged over: the same statuses as
# contracts.services.quotes.typical_cost.
ROW_RELATED = (
    "quote__customer", "quote__consultant__team", "requested_by", "decided_by",
    "version__trim__series__brand", "version__colour", "version__vehicle",
)


# --- Scope --------------------------------------------------------------------------------
def approval_scope_for_user(user: User) -> QuerySet[ApprovalRequest]:
    """The requests this user may open: the manager the store's, a supervisor those on
    quotes of their team's consultants (and on their own quotes)."""
    approvals = ApprovalRequest.objects.all()
    if user.store_id is None or not has_role(user, *APPROVER_ROLES):
        return approvals.none()
    approvals = approvals.filter(store_id=user.store_id)
    if user.role == Role.MANAGER:
        return approvals
    return approvals.filter(Q(quote__consultant__team__supervisor=user)
                            | Q(quote__consultant=user))


def _waiting_for_q(user: User) -> Q | None:
    """The pending requests that wait for this user's decision; None for roles that
    decide nothing."""
    if user.store_id is None or not has_role(user, *APPROVER_ROLES):
        return None
    own = Q(quote__consultant=user) | Q(requested_by=user)
    if user.role == Role.MANAGER:
        return Q(tier=ApprovalTier.MANAGER) & ~own
    return Q(tier=ApprovalTier.SUPERVISOR, quote__consultant__team__supervisor=user) & ~own


def _pending(user: User) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(store_id=user.store_id, status=ApprovalStatus.PENDING)


def approval_inbox_count(user: User) -> int:
    """How many requests wait for this user (the navigation badge): one COUNT query, and
    none for roles that approve nothing."""
    waiting = _waiting_for_q(user)
    if waiting is None:
        return 0
    return _pending(user).filter(waiting).count()


# --- Rows with their margin context -------------------------------------------------------
def _typical_costs(store_id: int, approvals: list[ApprovalRequest]) -> dict[int, Decimal]:
    """The average cost of the store's unsold stock per trim, for the rows whose quote
    names no vehicle: one query for all rows instead of one per row."""
    trims = {a.version.trim_id for a in approvals if a.version.vehicle_id is None}
    if not trims:
        return {}
    rows = (StockVehicle.objects.filter(store_id=store_id, trim_id__in=trims,
                                        status__in=COSTED_STOCK_STATUSES)
            .order_by().values("trim_id").annotate(cost=Avg("cost")))
    return {row["trim_id"]: row["cost"] for row in rows if row["cost"] is not None}


def with_figures(user: User, approvals: list[ApprovalRequest]) -> list[ApprovalRequest]:
    """Set on each row what the card shows beyond its fields: `discount_pct` (of the list
    price), `can_decide`, and — only for roles that may see cost — `cost` and `margin`
    (the vehicle price after the discount, less the cost)."""
    show_cost = can_see_cost(user)
    costs = _typical_costs(user.store_id, approvals) if (show_cost and approvals) else {}
    for approval in approvals:
        version = approval.version
        approval.discount_pct = (fen(approval.discount * HUNDRED / version.list_price)
                                 if version.list_price else None)
        approval.can_decide = (approval.status == ApprovalStatus.PENDING
                               and can_decide_approval(user, approval))
        approval.cost = approval.margin = None
        if show_cost:
            cost = (version.vehicle.cost if version.vehicle_id is not None
                    else costs.get(version.trim_id))
            if cost is not None:
                approval.cost = fen(Decimal(cost))
                approval.margin = fen(version.list_price - approval.discount - approval.cost)
    return approvals


def approval_inbox(*, user: User, tab: str | None = None) -> dict:
    """The inbox screen: the pending requests (oldest first), the manager's two tabs with
    their counts, and what this user decided in the last days. A fixed number of queries
    whatever the number of rows."""
    is_manager = user.role == Role.MANAGER
    tab = tab if (is_manager and tab in (TAB_MINE, TAB_ALL)) else TAB_MINE
    waiting = _waiting_for_q(user)
    pending = _pending(user)
    counts = {}
    if is_manager:
        counts = pending.aggregate(mine=Count("pk", filter=waiting), all=Count("pk"))
    if not (is_manager and tab == TAB_ALL):
        pending = pending.filter(waiting)
    rows = list(pending.select_related(*ROW_RELATED).order_by("requested_at", "pk"))
    since = timezone.now() - dt.timedelta(days=DECIDED_DAYS)
    decided = list(
        ApprovalRequest.objects.filter(store_id=user.store_id, decided_by=user,
                                       decided_at__gte=since)
        .select_related("quote__customer", "quote__consultant")
        .order_by("-decided_at", "-pk")[:DECIDED_LIMIT])
    return {"approvals": with_figures(user, rows), "tab": tab, "counts": counts,
            "decided": decided, "decided_days": DECIDED_DAYS,
            "show_cost": can_see_cost(user), "is_manager": is_manager}


# --- One request --------------------------------------------------------------------------
def approval_get_for_user(*, user: User, pk: int) -> ApprovalRequest:
    """One request with what its card shows; Http404 outside the user's scope."""
    try:
        approval = (approval_scope_for_user(user)
                    .select_related("store", "quote__store", *ROW_RELATED).get(pk=pk))
    except (ApprovalRequest.DoesNotExist, ValueError):
        raise Http404 from None
    with_figures(user, [approval])
    return approval


def approval_history(approval: ApprovalRequest) -> list[QuoteVersion]:
    """Every version of the request's quote, newest first, each with `decisions`: the
    approval requests it raised (two queries)."""
    versions = list(QuoteVersion.objects.filter(quote_id=approval.quote_id)
                    .select_related("created_by").order_by("-number"))
    decisions: dict[int, list[ApprovalRequest]] = {}
    for request in (ApprovalRequest.objects.filter(quote_id=approval.quote_id)
                    .select_related("decided_by").order_by("requested_at", "pk")):
        decisions.setdefault(request.version_id, []).append(request)
    for version in versions:
        version.decisions = decisions.get(version.pk, [])
    return versions
