"""Text put together from parts, in the active language."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import pgettext


def join_list(items: Iterable[object]) -> str:
    """The items joined with the language's list separator ("a, b" in English, "a、b" in
    Chinese), for messages that name several things."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet shows as it is, never runs as a formula (CSV
    injection): text starting like a formula gets a leading apostrophe. Numbers are
    written as they are (a negative amount stays a number)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
