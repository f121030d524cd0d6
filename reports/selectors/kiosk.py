"""Wall-screen links: resolving a signed link to its store, cheaply (a screen polls every
30 seconds per panel), and the manager's list of the store's links."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from dealership.models import User
from reports.models import KioskLink
from reports.services.kiosk import kiosk_cache_key, kiosk_signer

# Short on purpose: a screen that read the link just before a revocation committed may put
# it back into the cache after the revocation deleted it; it lapses within five minutes.
LINK_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class KioskTarget:
    """What a valid link opens: the store (its id and its time zone)."""

    store_id: int
    tzname: str


def kiosk_target_from_signed(signed: str) -> KioskTarget | None:
    """The store of an active link, or None (then 404).

    A bad signature is refused without a query; a good one is answered from the cache
    (`reports:kiosk:<key>`, set only after the database confirmed an active link, deleted
    when the link is revoked), or by one query on a cache miss. Revoked and unknown links
    are not cached: each costs its one query and answers 404."""
    try:
        key = kiosk_signer().unsign(signed)
    except signing.BadSignature:
        return None
    cache_key = kiosk_cache_key(key)
    cached = cache.get(cache_key)
    if cached is not None:
        return KioskTarget(*cached)
    row = (KioskLink.objects.filter(key=key, revoked_at__isnull=True)
           .values_list("store_id", "store__timezone").first())
    if row is None:
        return None
    cache.set(cache_key, tuple(row), LINK_CACHE_SECONDS)
    return KioskTarget(*row)


def kiosk_links_for_user(*, user: User) -> QuerySet[KioskLink]:
    """The store's links, newest first, with who made and who revoked each."""
    return (KioskLink.objects.filter(store_id=user.store_id)
            .select_related("created_by", "revoked_by").order_by("-created_at", "-id"))


def kiosk_link_get_for_user(*, user: User, pk: int) -> KioskLink:
    """One link of the user's store; another store's (or none) is a 404."""
    return get_object_or_404(KioskLink, pk=pk, store_id=user.store_id)
