"""Wall-screen links (DESIGN §4 `kiosk_link`): made by the manager (or `manage.py
kiosk_link`), revoked by the manager. The link's path is `/wall/<signed>/`, `<signed>` being
the signature of the link's random key, so a tampered path is refused before any lookup
(reports.selectors.kiosk)."""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from reports.models import KioskLink

KIOSK_SALT = "reports.kiosk"


def kiosk_signer() -> signing.Signer:
    return signing.Signer(salt=KIOSK_SALT)


def kiosk_cache_key(key: str) -> str:
    return f"reports:kiosk:{key}"


def kiosk_link_path(link: KioskLink) -> str:
    """The wall screen's path of a link: /wall/<signed>/."""
    return reverse("wall:screen", kwargs={"signed": kiosk_signer().sign(link.key)})


def kiosk_link_create(*, store: Store, label: str, actor: User | None) -> tuple[KioskLink, str]:
    """A new wall-screen link for the store; returns it and its path (shown once).

    Side effects: the link row, an audit row."""
    with transaction.atomic():
        link = KioskLink(store=store, key=secrets.token_urlsafe(18), label=label.strip(),
                         created_by=actor, created_at=timezone.now())
        link.full_clean()
        link.save()
        audit_log(actor=actor, instance=link, action=AuditAction.CREATE,
                  changes={"label": [None, link.label]})
    return link, kiosk_link_path(link)


def kiosk_link_revoke(*, link: KioskLink, actor: User | None) -> KioskLink:
    """End a wall-screen link: the screen showing it answers 404 from its next poll.

    Refused (a ValidationError naming no field, 409) when it is already revoked, so the
    second of two managers clicking at once learns that the first did it.
    Side effects: revoked_at/by, an audit row, the link's cache entry deleted on commit."""
    with transaction.atomic():
        locked = KioskLink.objects.select_for_update(of=("self",)).get(pk=link.pk)
        if not locked.is_active:
            raise ValidationError(_("This link was already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"revoked_at": [None, locked.revoked_at.isoformat()]})
        key = kiosk_cache_key(locked.key)
        # Deleted now and again after commit: a screen polling in between may have put the
        # still-active link back into the cache from the not yet committed row.
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))
    return locked
