"""Badges and timeline rows of the lead screens: `{% load lead_tags %}`."""

from __future__ import annotations

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from leads.enums import (
    Channel,
    EventKind,
    Grade,
    LeadStatus,
    LostReason,
    PurchaseWindow,
    TouchKind,
    TouchOutcome,
)

register = template.Library()

# Which choices each timeline data key is labelled from.
_CHOICES = {
    "channel": Channel, "grade": Grade, "how": TouchKind, "outcome": TouchOutcome,
    "purchase_window": PurchaseWindow, "reason": LostReason,
}
_OWNER_KINDS = (EventKind.ASSIGNED, EventKind.CLAIMED, EventKind.SLA_REASSIGNED,
                EventKind.POOLED)


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _person(people: dict, pk) -> str | None:
    if not pk:
        return None
    return people.get(pk) or people.get(str(pk)) or _("a former colleague")


@register.filter
def channel_label(lead) -> str:
    """`lead.get_channel_display` for a row of a long list: Django's rebuilds (and
    translates) every choice on each call."""
    return _label(Channel, lead.channel)


# The badges are built in Python rather than included from small templates: a list
# shows three per row, and an inclusion tag costs a template render each time. Each
# ends with the newline its template used to end with, so the pages stay as they were.
@register.simple_tag
def grade_badge(lead) -> str:
    label = _label(Grade, lead.grade)
    if not lead.grade_overridden:
        return format_html('<span class="badge grade-badge grade-{}" title="{}" '
                           'data-testid="grade-badge">{}</span>\n', lead.grade, label, lead.grade)
    by_hand = _("set by hand")
    return format_html('<span class="badge grade-badge grade-{}" title="{} · {}" '
                       'data-testid="grade-badge">{}<span class="grade-manual" '
                       'aria-label="{}">✎</span></span>\n',
                       lead.grade, label, by_hand, lead.grade, by_hand)


@register.simple_tag
def status_badge(lead) -> str:
    return format_html('<span class="badge status-badge status-{}">{}</span>\n',
                       lead.status, _label(LeadStatus, lead.status))


@register.simple_tag
def due_marker(lead) -> str:
    """When the next touch is due; `lead.overdue` comes annotated from the selector."""
    due = lead.follow_up_due_at if lead.is_open else None
    if not due:
        return mark_safe('<span class="muted">—</span>\n')
    overdue = getattr(lead, "overdue", None)
    if overdue is None:
        overdue = lead.is_overdue()
    due = template_localtime(due)
    stamp = format_html('<time datetime="{}">{}</time>', dateformat.format(due, "c"),
                        dateformat.format(due, "m-d H:i"))
    if overdue:
        return format_html('<span class="badge due-overdue" data-testid="overdue">{} · {}</span>\n',
                           _("Overdue"), stamp)
    return format_html('<span class="due">{}</span>\n', stamp)


@register.simple_tag
def event_lines(event) -> list[dict]:
    """A timeline event's facts as rows of (label, old, new) in the reader's language."""
    data = event.data if isinstance(event.data, dict) else {}
    people = getattr(event, "people", {})
    kind = event.kind
    rows: list[dict] = []

    def add(label: str, new, old=None) -> None:
        if new not in (None, ""):
            rows.append({"label": label, "old": old, "new": new})

    if kind == EventKind.STATUS:
        add(_("Status"), _label(LeadStatus, data.get("to", "")),
            _label(LeadStatus, data.get("from", "")) if data.get("from") else None)
    elif kind == EventKind.GRADE:
        add(_("Grade"), data.get("to"), data.get("from"))
    elif kind == EventKind.TOUCH:
        add(_("How"), data.get("how") and _label(TouchKind, data["how"]))
        add(_("Outcome"), data.get("outcome") and _label(TouchOutcome, data["outcome"]))
    elif kind in _OWNER_KINDS:
        add(_("Consultant"), _person(people, data.get("to_owner")) or _("the store's pool"),
            _person(people, data.get("from_owner")))
        if data.get("reason") == "routing":
            add(_("How"), _("Routed to the next consultant on duty"))
        elif data.get("reason") == "customer":
            add(_("How"), _("The customer's own consultant"))
        elif data.get("reason") == "chosen":
            add(_("How"), _("Chosen when the lead was recorded"))
    else:
        for key in ("channel", "grade", "purchase_window", "reason"):
            if data.get(key):
                add(_field_label(key), _label(_CHOICES[key], data[key]))
        add(_("Model of interest"), data.get("model_interest"))
        if kind == EventKind.CREATED and data.get("duplicate"):
            add(_("Customer"), _("Already known to the store"))
    return rows


def _field_label(key: str) -> str:
    return {"channel": _("Channel"), "grade": _("Grade"), "purchase_window": _("Plans to buy"),
            "reason": _("Reason")}[key]
