"""The wall screen's filters: {% load wall_tags %}."""

from __future__ import annotations

import re

from django import template

from reports.metrics import FIGURE_LABELS

register = template.Library()

# Seven or more digits, possibly grouped by spaces or dashes (a mobile, a landline, an ID
# number): a manager's note may carry one, and the wall screen is seen by every visitor.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){6,}")


@register.filter
def wall_scrub(text: str) -> str:
    """The text with every long number replaced by "•••"."""
    return _LONG_NUMBER.sub("•••", str(text or ""))




@register.filter
def figure_label(key: str) -> str:
    """The name of a DESIGN §3 figure (its §4 key), as everywhere else."""
    return FIGURE_LABELS.get(key, key)
