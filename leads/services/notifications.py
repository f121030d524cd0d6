from __future__ import annotations

from django.utils import timezone

from dealership.models import User
from leads.models import Notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now())
