"""Reads of the report pages on a streaming read replica (issue 15 §6; docs/scaling.md).

With `DATABASE_REPLICA_URL` set, the settings add a second alias, `replica`, and install
`ReplicaRouter`. The router sends a read to the replica only while a view decorated with
`@reads_from_replica` runs (a context variable, so each request and each thread decides
for itself), and only:
- for the project's own tables: Django's own (sessions, permissions, content types, the
  admin log) always stay on the primary;
- outside a transaction on the primary: a read inside `transaction.atomic()` must see the
  transaction's own writes (and in tests, whose every test runs inside one, it keeps the
  normal suite on `default` even with a replica configured);
- for a GET or HEAD request: a view that also accepts POST is never routed, because a
  page that writes must read its own writes.
Every write goes to the primary; only the primary is migrated.

Lag: a streaming replica is usually milliseconds behind, so a report page may miss a row
written an instant before. That is acceptable for figures and boards, never for a page
that shows what the user has just saved, hence the rule above. The wall screen resolves
its link on the replica too: a link revoked an instant before may be cached again for up
to five minutes, the same bounded window reports.selectors.kiosk already accepts.

Without `DATABASE_REPLICA_URL` there is one alias, no router, and the decorator only sets
a flag that nobody reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# The project's apps (their tables are what reports read). Django's contrib apps are not
# listed: the session and the signed-in user must never come from a lagging copy.
REPLICA_APPS = frozenset({
    "dealership", "leads", "showroom", "contracts", "delivery", "aftersales", "reports",
})
SAFE_METHODS = frozenset({"GET", "HEAD"})

_replica_reads: ContextVar[bool] = ContextVar("dealership_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, the router may send reads of project tables to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_active() -> bool:
    return _replica_reads.get()


def reads_from_replica(view: Callable) -> Callable:
    """Mark a read-only report view: its reads may go to the replica (GET and HEAD only).

    Put it innermost, right above the function: the login and role checks above it read
    the session and the user from the primary."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    wrapper.reads_from_replica = True  # checked by tests/replica/test_router.py
    return wrapper


class ReplicaRouter:
    """Reads of the report pages to `replica`; everything else to `default`. The settings
    install it only when they define the `replica` alias."""

    def db_for_read(self, model, **hints) -> str:
        if (
            _replica_reads.get()
            and model._meta.app_label in REPLICA_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same rows: an object read from the replica may be related
        # to (and saved alongside) one read from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
