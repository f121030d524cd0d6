"""The owner's file in other pages' templates: whether the customer page links to it."""

from __future__ import annotations

from django import template

from aftersales.permissions import OWNER_FILE_ROLES, is_customer_in_scope
from aftersales.selectors.owners import is_owner
from dealership.permissions import has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open_owner_file(context, customer) -> bool:
    """{% may_open_owner_file customer as may_open %}: link the customer page to the
    owner's file. The role and scope are checked without a query; only a user who may
    open the file pays one query (does the customer own a delivered car?)."""
    user = context.get("user")
    if user is None or not has_role(user, *OWNER_FILE_ROLES):
        return False
    if not is_customer_in_scope(user, customer):
        return False
    return is_owner(customer)
