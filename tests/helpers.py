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


# --- The small demo, seeded once for a test module ------------------------------------------
@contextmanager
def demo_seeded_once(django_db_blocker, media_root) -> Iterator[str]:
    """`seed_demo --force` in a transaction held open for a module's tests, rolled back
    after its last one; its output. Each test still runs in its own savepoint, so what a
    test changes is gone before the next. Use it from a module-scoped fixture; every test of
    that module then sees the demo, so a test that needs an empty database lives elsewhere.
    Seeding takes 15 s or more: once per module, not per test."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    out = StringIO()
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root),
          transaction.atomic()):
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
