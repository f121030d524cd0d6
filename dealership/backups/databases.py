"""The database side of backups: SQLite's backup API, pg_dump and pg_restore, row counts
and migration leaves."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from dealership.backups.archive import DATABASE_MEMBERS, BackupError

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def database_vendor() -> str:
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def sqlite_dump(dump: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Copy the database with SQLite's backup API: a consistent snapshot even while the
    application writes (one step, so a concurrent write cannot restart it half-way)."""
    target = sqlite3.connect(dump)
    try:
        if connection.is_in_memory_db():
            # Only Django's own connection can see an in-memory database (tests).
            connection.ensure_connection()
            connection.connection.backup(target)
        else:
            # A connection of our own reads committed data only, whatever transaction
            # Django's connection is in; in WAL mode it does not block the writers.
            source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
            try:
                source.backup(target)
            finally:
                source.close()
        # A self-contained file: no -wal next to it when it is opened again.
        target.execute("PRAGMA journal_mode=DELETE")
        tables = row_counts(target.cursor(), _sqlite_tables(target))
        migrations = migration_leaves(applied_migrations(target.cursor(), tables))
    finally:
        target.close()
    return tables, migrations


def postgres_dump(dump: Path) -> tuple[dict[str, int], dict[str, str]]:
    """pg_dump -Fc from a snapshot exported by a transaction of ours, whose counts are
    therefore the dump's counts."""
    pg_dump = _pg_tool("pg_dump")
    snapshot_connection = connection.copy()
    try:
        snapshot_connection.ensure_connection()
        snapshot_connection.set_autocommit(False)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = row_counts(
                cursor, snapshot_connection.introspection.table_names(cursor))
            migrations = migration_leaves(applied_migrations(cursor, tables))
            # The exported snapshot lives as long as this transaction: pg_dump runs inside.
            _run_pg_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}",
                          f"--file={dump}", *_pg_connection_args()])
        snapshot_connection.rollback()
    finally:
        snapshot_connection.close()
    return tables, migrations


def sqlite_restore(dump: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        check = source.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The SQLite database in the archive is damaged: {check}")
        if connection.is_in_memory_db():
            connection.ensure_connection()
            source.backup(connection.connection)
            return
        # The backup API replaces every page of the file under SQLite's own locks, so
        # other processes that have it open see either the old or the new database.
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"Restoring the SQLite database failed: {error}") from None
    finally:
        source.close()


def postgres_restore(dump: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    connection.close()
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run_pg_tool([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", *_pg_connection_args(), str(dump)])


def row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a table name
        counts[table] = cursor.fetchone()[0]
    return counts


def django_tables(cursor: Any) -> list[str]:
    return [table for table in connection.introspection.table_names(cursor)
            if not table.startswith("sqlite_")]


def migration_leaves(applied: set[tuple[str, str]]) -> dict[str, str]:
    """The last applied migration of each app (a migration none of whose same-app
    children is applied; the code's graph says who is whose child)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaves = {}
    for app in sorted({app for app, _ in applied}):
        mine = {key for key in applied if key[0] == app}
        tips = [key for key in mine if key not in graph.node_map
                or not any(child.key in mine for child in graph.node_map[key].children)]
        leaves[app] = max(name for _, name in tips)
    return leaves


def applied_migrations(cursor: Any, tables: dict[str, int]) -> set[tuple[str, str]]:
    if "django_migrations" not in tables:
        return set()
    cursor.execute("SELECT app, name FROM django_migrations")
    return {(app, name) for app, name in cursor.fetchall()}


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sqlite_tables(database: sqlite3.Connection) -> list[str]:
    rows = database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite^_%'"
        " ESCAPE '^'").fetchall()
    return [name for (name,) in rows]


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the "
            f"server's major version (Debian: apt-get install postgresql-client-15).")
    return path


def _pg_connection_args() -> list[str]:
    settings_dict = connection.settings_dict
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    return [*args, "--no-password"]


def _run_pg_tool(args: list[str]) -> None:
    # The password goes in PGPASSWORD (with sslmode and the like, as dbshell does), never
    # on the command line where other users could read it in the process list.
    _, pg_env = PostgresClient.settings_to_cmd_args_env(connection.settings_dict, [])
    env = {**os.environ, **(pg_env or {})}
    tool = Path(args[0]).name
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True,  # noqa: S603
                                   check=False)
    except OSError as error:
        raise BackupError(f"{tool} could not be started: {error}") from None
    if completed.returncode != 0:
        message = completed.stderr.strip() or f"exit status {completed.returncode}"
        raise BackupError(f"{tool} failed: {message}")
