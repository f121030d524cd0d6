"""The customer page's loyalty actions ("Refer a friend", "Points"), decided without a query
so the page's count does not grow: a user of the right role in the customer's store. The
customer page has scoped the customer already; the screens themselves check the whole
rule (scope, a delivered car) and answer 404 / 409."""

from __future__ import annotations

from django import template

from aftersales.permissions import LOYALTY_ROLES, REFERRAL_ROLES
from dealership.permissions import has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def loyalty_actions(context, customer) -> dict:
    """{% loyalty_actions customer as loyalty %}: {"refer": bool, "points": bool}."""
    user = context.get("user")
    same_store = bool(user is not None and user.is_authenticated and user.store_id is not None
                      and customer.store_id == user.store_id
                      and customer.anonymised_at is None)
    return {"refer": same_store and has_role(user, *REFERRAL_ROLES),
            "points": same_store and has_role(user, *LOYALTY_ROLES)}
