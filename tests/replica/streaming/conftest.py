"""A real streaming replica: the replica step of .ci/run (PostgreSQL primary + a standby
made with `pg_basebackup -R`), with DATABASE_REPLICA_URL set.

pytest-django creates a test database on `default` only (the replica alias is its test
mirror), and a standby cannot have a database of its own: it replays the whole primary
cluster. So here both aliases use the databases as configured, the CI's migrated `app`
database on the primary and its copy on the standby (pytest-django docs, "Using an
existing, external database"). The tests commit for real, and the primary's tables are
flushed after each: never point DATABASE_URL at a database you care about.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("DATABASE_REPLICA_URL"):

    @pytest.fixture(scope="session")
    def django_db_setup():
        """No test database: the configured ones, already migrated (`manage.py migrate`)."""
