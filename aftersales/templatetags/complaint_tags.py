"""Template helpers of the complaint screens: the clocks as words ("1 h 12 min left",
"overdue by 3 h"), rendered by the server at each htmx poll, and the customer page's
"Record a complaint" button."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from aftersales.permissions import can_work_complaints
from aftersales.selectors.complaints import Clock, ClockState

register = template.Library()


@register.filter
def complaint_duration(value: dt.timedelta | None) -> str:
    """A duration in hours and minutes, whole minutes down: "1 h 12 min", "3 h", "5 min"."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("under a minute")


@register.filter
def complaint_clock_text(clock: Clock) -> str:
    """What a clock says now: "1 h 12 min left", "overdue by 3 h", "met", "2 h late"."""
    if clock.done_at is None:
        if clock.state == ClockState.BREACHED:
            return _("overdue by %(duration)s") % {
                "duration": complaint_duration(clock.overdue_by)}
        return _("%(duration)s left") % {"duration": complaint_duration(clock.left)}
    if clock.late_by is not None:
        return _("met %(duration)s late") % {"duration": complaint_duration(clock.late_by)}
    return _("met in time")


@register.simple_tag(takes_context=True)
def may_record_complaint(context, customer) -> bool:
    """{% may_record_complaint customer as may %}: offer the intake for this customer.
    Without a query: customer care, a supervisor or the manager of the customer's store
    (the intake itself checks again)."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and can_work_complaints(user)
                and customer.store_id == user.store_id)


@register.filter
def complaint_level(level: int) -> str:
    """The escalation level's name ("Supervisor", "Manager"); empty when not escalated."""
    from aftersales.enums import EscalationLevel

    return str(EscalationLevel(level).label) if level in EscalationLevel.values else ""
