"""Sign-in security: the audit side of django-axes' login throttling."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dealership.enums import AuditAction
from dealership.models import AuditEntry, User
from dealership.services.audit import audit_log

logger = logging.getLogger(__name__)


def login_lockout_record(*, username: str, ip_address: str | None) -> AuditEntry | None:
    """Audit that sign-in for `username` is locked (axes' `user_locked_out` signal).

    Axes sends the signal again for every attempt made while locked, so a lockout already
    recorded within the cool-off window is not recorded twice: an attacker hammering a
    locked account must not flood the audit trail. An unknown username has no row to
    hang the entry on; it is logged only.
    """
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        logger.warning("sign-in locked for unknown username from %s", ip_address)
        return None
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    already = AuditEntry.objects.of(user).filter(
        action=AuditAction.LOCKOUT, created_at__gte=since).exists()
    if already:
        return None
    return audit_log(actor=None, instance=user, action=AuditAction.LOCKOUT,
                     changes={"ip_address": [None, ip_address or ""]},
                     reason="login throttled")


def login_unlock(*, actor: User, attempts: Iterable) -> int:
    """Delete axes' failed-attempt rows (which unlocks) and audit one entry per user.

    Side effects: the rows are deleted; an `unlock` audit row per known username.
    """
    attempts = list(attempts)
    usernames = sorted({a.username for a in attempts if a.username})
    with transaction.atomic():
        for attempt in attempts:
            attempt.delete()
        for user in User.objects.filter(username__in=usernames):
            audit_log(actor=actor, instance=user, action=AuditAction.UNLOCK, reason="admin")
    return len(attempts)


def on_user_locked_out(sender, *, username: str = "", ip_address: str | None = None,
                       **kwargs) -> None:
    login_lockout_record(username=username or "", ip_address=ip_address)
