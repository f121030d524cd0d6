"""Text put together from parts, in the active language."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_list(items: Iterable[object]) -> str:
    """The items joined with the language's list separator ("a, b" in English, "a、b" in
    Chinese), for messages that name several things."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
