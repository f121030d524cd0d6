"""The contract page's "Delivery" card: the order's stage and car, read in at most three
queries (the open allocation; for a car on hand, the inspection's items and checks)."""

from __future__ import annotations

from django import template

from dealership.permissions import has_role
from delivery.permissions import ORDER_VIEW_ROLES
from delivery.selectors.orders import (
    DEFAULT_AT_RISK_DAYS,
    ORDER_STATUSES,
    OrderRow,
    order_rows,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def order_of(context: template.Context, contract) -> OrderRow | None:
    """The contract's order row, or None when it has no order (not signed yet, cancelled)
    or the user's role does not follow orders."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if (user is None or contract.status not in ORDER_STATUSES
            or not has_role(user, *ORDER_VIEW_ROLES) or user.store_id != contract.store_id):
        return None
    # The card shows no at-risk flag (the order page does): the default distance spares
    # the settings' query.
    [row] = order_rows([contract], today=contract.store.today(),
                       at_risk_days=DEFAULT_AT_RISK_DAYS)
    return row
