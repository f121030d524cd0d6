"""Money in templates: {% load money_tags %} … {{ amount|cny }} → ¥209,800.00."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def cny(value) -> str:
    """A CNY amount with thousands separators and two decimals; "—" for no amount."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
