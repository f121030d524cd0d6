"""Quote screens in templates: who may write a quote, and a version's "what changed" rows
in words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from contracts.enums import PaymentPlan
from contracts.models import QuoteVersion
from contracts.permissions import QUOTE_WRITE_ROLES
from dealership.permissions import has_role
from dealership.templatetags.money_tags import cny

register = template.Library()

MONEY_FIELDS = frozenset({"list_price", "discount", "trade_in_value", "insurance_estimate",
                          "fees", "down_payment"})


@register.simple_tag(takes_context=True)
def may_write_quote(context, customer) -> bool:
    """{% may_write_quote customer as may_quote %}: offer the builder for this customer.

    Without a query, so a page's query count does not grow: a seller of the customer's
    store. The pages that show the link (the customer's, a lead the user works) have
    scoped the customer already; the builder itself checks the whole rule
    (can_write_quote) and answers 404 outside the user's customers."""
    user = context.get("user")
    return bool(user is not None and has_role(user, *QUOTE_WRITE_ROLES)
                and user.store_id is not None and customer.store_id == user.store_id)


@register.filter
def change_label(name: str) -> str:
    """The field's verbose name, as the version model names it."""
    try:
        return str(QuoteVersion._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def change_value(value: str, name: str) -> str:
    """One side of a change as the screens show it: money as ¥, the payment plan by its
    label, "—" for nothing."""
    if value in (None, ""):
        return "—"
    if name in MONEY_FIELDS:
        return cny(value)
    if name == "payment_plan" and value in PaymentPlan.values:
        return str(PaymentPlan(value).label)
    if name == "loan_annual_rate":
        return f"{value} %"
    return value


@register.filter
def price_or_free(value) -> str:
    """A package's price, or "free" for a gift."""
    try:
        if Decimal(value) == 0:
            return _("free")
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return cny(value)


@register.filter
def discount_pct(version) -> str:
    """The discount as a share of the list price, e.g. "4.8 %"."""
    if not version.list_price:
        return "—"
    return f"{version.discount * 100 / version.list_price:.1f} %"
