"""What the consultant's day shows of the showroom."""

from __future__ import annotations

import datetime as dt

from dealership.models import User
from showroom.enums import InvitationStatus, TestDriveStatus
from showroom.selectors.invitations import invitation_scope_for_user
from showroom.selectors.test_drives import test_drive_scope_for_user
from showroom.selectors.visits import visits_open_for_consultant


def showroom_day_for_consultant(*, user: User, day: dt.date) -> dict:
    """What "my day" shows of the showroom (its panel's selector): customers on the floor
    now, the day's test drives and expected invitations — three queries whatever the
    numbers."""
    start, end = user.store.day_bounds(day)
    drives = (
        test_drive_scope_for_user(user)
        .filter(slot_start__gte=start, slot_start__lt=end,
                status__in=(TestDriveStatus.BOOKED, TestDriveStatus.IN_PROGRESS))
        .select_related("vehicle__trim__series", "customer").order_by("slot_start")
    )
    invitations = (
        invitation_scope_for_user(user)
        .filter(expected_at__gte=start, expected_at__lt=end,
                status=InvitationStatus.SCHEDULED)
        .select_related("lead__customer").order_by("expected_at")
    )
    return {"visits_open": list(visits_open_for_consultant(user)),
            "test_drives_today": list(drives), "invitations_today": list(invitations)}
