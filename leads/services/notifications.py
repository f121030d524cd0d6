"""Notifications to staff: sending one, marking them read."""

from __future__ import annotations

from django.utils import timezone

from dealership.models import Store, User
from leads.models import Lead, Notification


def notification_send(*, store: Store, user: User, kind: str, lead: Lead | None = None,
                      url: str = "", subject: str = "") -> Notification:
    """Tell a member of staff about a lead, or about a customer who has no lead of theirs
    (a returning walk-in who asked for them), or about a decision on something of theirs
    (`url` to its page, `subject` its number). Side effects: one unread notification."""
    return Notification.objects.create(store=store, user=user, lead=lead, kind=kind,
                                       url=url, subject=subject)


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many were unread."""
    return Notification.objects.for_user(user).filter(read_at__isnull=True).update(
        read_at=timezone.now())


def notification_send_decision(*, actor: User, user: User, store: Store, kind: str,
                               url: str, subject: str,
                               lead: Lead | None = None) -> Notification | None:
    """Tell `user` of a decision `actor` took on their work (a discount request, a contract
    review, a lost request, a payment): a link to the decided thing's page and its number.
    Called inside the deciding service's transaction, so the notification commits with the
    decision or not at all. Nobody is told of their own decision: returns None then."""
    if user.pk == actor.pk:
        return None
    return notification_send(store=store, user=user, kind=kind, lead=lead, url=url,
                             subject=subject)
