"""Helpers for tests that race two workers against a real database (PostgreSQL).

Each thread gets its own database connection, so the row locks, SKIP LOCKED and unique
constraints of the code under test decide who wins, exactly as with two web or job workers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import translation


def require_postgres() -> None:
    """Skip unless the tests run on PostgreSQL; in CI, fail instead of skipping."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the concurrency tests on PostgreSQL (DATABASE_URL).")
        pytest.skip("Concurrency tests need PostgreSQL (set DATABASE_URL); SQLite "
                    "serialises writers, so it cannot show a real race.")


def race(*calls: Callable[[], object], timeout: float = 60) -> list[object]:
    """Run the calls in threads released at the same instant; their results or exceptions.

    Results come back in the order of the calls. An exception a call raises is its result
    (the loser's error is usually the outcome under test). Each thread closes its own
    connection. Fails if a thread is still running `timeout` seconds after the start of
    joining it, i.e. is stuck on a lock.
    """
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    # Translations are per thread: the calls speak the caller's language.
    language = translation.get_language()

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override(language):
                results[index] = call()
        except Exception as error:  # the error is the outcome under test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return results
