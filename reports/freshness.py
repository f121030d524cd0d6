"""Whether a wall-screen panel changed since the screen last fetched it (DESIGN §2 Reports:
polling "that costs almost nothing when nothing changed"; issue 13 §5).

Each polled fragment carries an `ETag` made of the panel, the store, the store's *data
version*, the language, the store's day and a five-minute time bucket. A poll whose
`If-None-Match` still matches is answered `304` before any figure is computed: with the
link in the cache (reports.selectors.kiosk) and the version in the cache, no query at all.

The data version is a token in the Django cache (`reports:store-version:<store id>`),
replaced by post_save/post_delete receivers on the models the boards read (connected in
`reports.apps._register_wall`, each with a dispatch_uid). It is replaced when the writing
transaction commits, when the new rows become visible. A cache server that is away never
stops a write: the bump is skipped (and tried again after a rest), and polls are answered
in full until it is back.

Why a time bucket as well: the version alone does not see every change.
- Set-based writes (`QuerySet.update()`, `bulk_create`) send no signal, and the periodic
  jobs are written that way (a lead turning dormant, a due date passing into "overdue").
- With the local-memory cache (no REDIS_URL) each process has its own cache: a row changed
  by the Celery worker or another web process bumps a version this process never reads.
- Some figures are "right now" figures (what is overdue, the day's pace), and the store's
  day rolls over at its own midnight (the store's date is in the ETag for that).
So an ETag lives at most five minutes: the worst case is a panel five minutes behind, and
an unchanged screen still costs one cheap 304 per panel per poll.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)

BUCKET_SECONDS = 300
CACHE_REST_SECONDS = 30  # after a cache failure, how long writes skip the bump
_cache_down_until = 0.0
# The models the meeting boards read ("app_label.Model", lazily resolved by the signals).
BOARD_MODELS = (
    "showroom.Visit", "showroom.Invitation", "showroom.TestDrive", "leads.Lead", "leads.Touch",
    "contracts.Contract", "delivery.Handover", "dealership.StockVehicle",
    "aftersales.Complaint", "aftersales.CareStep", "reports.MeetingNote", "reports.Target",
    "reports.ClosedDay", "reports.ReportSettings",
)
VERSION_TIMEOUT = 60 * 60 * 24 * 7  # a forgotten version is simply made again


def _version_key(store_id: int) -> str:
    return f"reports:store-version:{store_id}"


def _cache_is_resting() -> bool:
    return time.monotonic() < _cache_down_until


def _cache_failed(error: Exception) -> None:
    """The cache server is away: writes must go on, screens recompute; try again later."""
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_REST_SECONDS
    logger.warning("wall-screen data version unavailable (cache): %s", error)


def store_version(store_id: int) -> str:
    """The store's current data version (made on first use; one cache read). Without a
    cache server, a fresh token each time: every poll is then answered in full."""
    if _cache_is_resting():
        return secrets.token_hex(8)
    key = _version_key(store_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, secrets.token_hex(8), VERSION_TIMEOUT)
            version = cache.get(key)
    except Exception as error:  # redis' ConnectionError, a timeout, ...
        _cache_failed(error)
        return secrets.token_hex(8)
    return version or secrets.token_hex(8)


def _bump(key: str) -> None:
    if _cache_is_resting():
        return
    try:
        cache.set(key, secrets.token_hex(8), VERSION_TIMEOUT)
    except Exception as error:
        _cache_failed(error)


def store_version_bump(store_id: int) -> None:
    """A new version for the store once the current transaction commits (at once outside
    one). Only then are the new rows visible: a poll answered before the commit carries
    the old version with the old rows, and the next poll after it sees a new version.
    Never raises: a cache server away must not stop a sale being recorded."""
    key = _version_key(store_id)
    transaction.on_commit(lambda: _bump(key))


def store_id_of(instance: Model) -> int | None:
    """The store a changed row belongs to: its own `store_id`, or its lead's (a touch)."""
    store_id = getattr(instance, "store_id", None)
    if store_id is not None:
        return store_id
    lead = getattr(instance, "lead", None) if hasattr(instance, "lead_id") else None
    return getattr(lead, "store_id", None)


def bump_on_change(sender, instance: Model, **kwargs) -> None:
    """post_save / post_delete receiver: the boards read this row's store."""
    if kwargs.get("raw"):  # loading fixtures
        return
    store_id = store_id_of(instance)
    if store_id is not None:
        store_version_bump(store_id)


def panel_etag(*, panel: str, store_id: int, tzname: str, language: str,
               now: dt.datetime | None = None) -> str:
    """The quoted ETag of one panel of one store's wall screen, at this moment."""
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(tzname))
    bucket = int(now.timestamp()) // BUCKET_SECONDS
    parts = (panel, str(store_id), store_version(store_id), language,
             local.date().isoformat(), str(bucket))
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'
