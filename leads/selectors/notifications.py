"""Reads of a member of staff's notifications outside "my day"'s panels."""

from __future__ import annotations

from dealership.models import User
from leads.models import Notification


def unread_count(user: User) -> int:
    """For the navigation badge on "my day": one COUNT on the notification index (store,
    user, read_at), whatever the role; the menu only offers "my day" to those it serves."""
    return Notification.objects.for_user(user).filter(read_at__isnull=True).count()
