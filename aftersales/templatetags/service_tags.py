"""The customer page's "Book a workshop visit", decided without a query so the page's
count does not grow: a booking role of the customer's store. The booking page checks the
rest (scope, a car handed over to the customer)."""

from __future__ import annotations

from django import template

from aftersales.permissions import SERVICE_BOOKING_ROLES
from dealership.permissions import has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def service_can_book(context, customer) -> bool:
    """{% service_can_book customer as can_book %}"""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and user.store_id is not None
                and customer.store_id == user.store_id and customer.anonymised_at is None
                and has_role(user, *SERVICE_BOOKING_ROLES))
