"""The wall screen's filters: {% load wall_tags %}."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Seven or more digits, possibly grouped by spaces or dashes (a mobile, a landline, an ID
# number): a manager's note may carry one, and the wall screen is seen by every visitor.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){6,}")


@register.filter
def wall_scrub(text: str) -> str:
    """The text with every long number replaced by "•••"."""
    return _LONG_NUMBER.sub("•••", str(text or ""))


_FIGURE_LABELS = {
    "walk_ins_first": _("First visits"),
    "walk_ins_return": _("Return visits"),
    "deals": _("Deals"),
    "walk_in_conversion": _("Walk-in conversion"),
    "lead_to_visit_rate": _("Leads to visit"),
    "lead_to_deal_rate": _("Leads to deal"),
    "invitation_show_rate": _("Invitations shown"),
    "test_drive_rate": _("Test-drive rate"),
    "activation_rate": _("Leads worked on time"),
    "first_contact_sla": _("First contact within 60 min"),
    "slow_stock": _("Slow stock"),
    "complaint_sla": _("Complaints within deadlines"),
}


@register.filter
def figure_label(key: str) -> str:
    """The wall's short name of a DESIGN §3 figure (its §4 key)."""
    return _FIGURE_LABELS.get(key, key)
