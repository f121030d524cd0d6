"""Small helpers shared by the view tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

# Headers of a request htmx makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def english(user):
    """Screens speak the user's language: exact messages are asserted in English, the
    msgids, as an English-speaking user sees them."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


# --- A clock inside the store's opening hours ------------------------------------------------
# A story that spans an hour or two around now ("arrived 42 minutes ago", "busy for 20
# minutes") would be cut in two store days by a run near the store's midnight, where the
# product rightly refuses a visit that arrived yesterday. Such tests run on this clock: 14:00
# of the store's day (Asia/Shanghai, the factories' zone) when the run started, ticking with
# the real clock. Only the clock moves; it is the outside world (`business_hours` fixture).
_real_now = timezone.now
_REAL_START = _real_now()
BUSINESS_START = timezone.localtime(_REAL_START, ZoneInfo("Asia/Shanghai")).replace(
    hour=14, minute=0, second=0, microsecond=0)


def business_now() -> dt.datetime:
    """14:00 store time on the run's first day, plus the real time since the run began."""
    return BUSINESS_START + (_real_now() - _REAL_START)


# --- Migrations ------------------------------------------------------------------------------
def migrate(targets: list[tuple[str, str]] | None = None) -> None:
    """The test database to `targets` ([(app label, migration name)]), or to the latest
    migrations."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@contextmanager
def migrated_back(targets: list[tuple[str, str]]) -> Iterator:
    """The database migrated back to `targets`, giving their historical models (`apps`);
    on the way out the latest migrations again, whatever happened, as every later test on
    the worker expects. Needs `django_db(transaction=True)`."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        migrate(targets)
        yield MigrationExecutor(connection).loader.project_state(targets).apps
    finally:
        migrate()
