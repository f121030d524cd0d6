"""`backup` and `restore` (README, "Backups"), on whichever database the suite runs on.

Restores go into an empty database of their own, through `manage.py restore` in a
subprocess, as an operator would run it: a fresh DATA_DIR (SQLite file) or a scratch
PostgreSQL database. Rows are counted and files hashed by the test itself, never read
back from the manifest under test.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from dealership.enums import Role
from tests.factories import CustomerFactory, StockVehicleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PHOTO = bytes(range(256)) * 40


@dataclass
class Target:
    """An empty database and DATA_DIR that a subprocess restores into."""

    data_dir: Path
    database_url: str  # empty: SQLite at data_dir/db.sqlite3

    @property
    def media_root(self) -> Path:
        return self.data_dir / "media"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATA_DIR": str(self.data_dir)}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
            capture_output=True, text=True, timeout=300, check=False)

    def row_counts(self) -> dict[str, int]:
        if self.database_url:
            with psycopg.connect(self.database_url) as database:
                tables = [name for (name,) in database.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
                return {table: database.execute(
                    f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                    for table in tables}
        database = sqlite3.connect(self.data_dir / "db.sqlite3")
        try:
            tables = [name for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite^_%' ESCAPE '^'")]
            return {table: database.execute(
                f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for table in tables}
        finally:
            database.close()


@pytest.fixture
def target(tmp_path) -> Iterator[Target]:
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    if connection.vendor != "postgresql":
        yield Target(data_dir=data_dir, database_url="")
        return
    params = connection.settings_dict
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    server = psycopg.connect(host=params["HOST"], port=params["PORT"], user=params["USER"],
                             password=params["PASSWORD"], dbname=params["NAME"],
                             autocommit=True)
    server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(data_dir=data_dir, database_url=(
            f"postgres://{quote(params['USER'])}:{quote(params['PASSWORD'])}"
            f"@{params['HOST']}:{params['PORT']}/{name}"))
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


@pytest.fixture
def seeded(store, consultant, teammate, manager, outsider, customer) -> dict[str, str]:
    """Real rows in several tables, and two media files; returns {path: SHA-256}."""
    CustomerFactory.create_batch(3, store=store, owner=teammate)
    UserFactory(username="fin", name="孙财务", role=Role.FINANCE, store=store)
    StockVehicleFactory.create_batch(2, store=store)
    files = {"contracts/2026/DEMO-2026-000001.pdf": CONTRACT_PDF,
             "showroom/inspections/展厅-1.jpg": PHOTO}
    for path, content in files.items():
        (settings.MEDIA_ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (settings.MEDIA_ROOT / path).write_bytes(content)
    return {path: hashlib.sha256(content).hexdigest() for path, content in files.items()}


def live_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue  # SQLite's own (sqlite_stat1, once a test has run ANALYZE)
            cursor.execute(
                f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        return counts


def media_hashes(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def backup(output: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=output, stdout=out)
    return Path(out.getvalue().splitlines()[-1])


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite(archive: Path, output: Path,
            edit: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """A copy of the archive with each member passed through `edit(name, data)`."""
    with tarfile.open(archive) as old, tarfile.open(output, "w:gz") as new:
        for member in old:
            name, data = edit(member.name, old.extractfile(member).read())
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return output


def edit_manifest(change: Callable[[dict], None]) -> Callable[[str, bytes], tuple[str, bytes]]:
    def edit(name: str, data: bytes) -> tuple[str, bytes]:
        if name != "manifest.json":
            return name, data
        manifest = json.loads(data)
        change(manifest)
        return name, json.dumps(manifest).encode()

    return edit


def test_backup_then_restore_into_empty_database_keeps_every_row_and_file(
        seeded, target, tmp_path):
    counts = live_row_counts()

    archive = backup(tmp_path)
    restored = target.run("restore", str(archive))

    assert counts["dealership_customer"] == 4
    assert manifest_of(archive)["tables"] == counts
    assert manifest_of(archive)["database"]["vendor"] == connection.vendor
    assert {item["path"]: item["sha256"] for item in manifest_of(archive)["media"]} == seeded
    assert restored.returncode == 0, restored.stderr
    assert "every row count matches the manifest" in restored.stdout
    assert target.row_counts() == counts
    assert media_hashes(target.media_root) == seeded
    # The restored copy backs up again, from a database file on SQLite, to the same rows.
    again = target.run("backup", "--output", str(tmp_path / "again.tar.gz"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == str(tmp_path / "again.tar.gz")
    assert manifest_of(tmp_path / "again.tar.gz")["tables"] == counts


def test_restore_over_restored_database_needs_force(seeded, target, tmp_path):
    counts = live_row_counts()
    archive = backup(tmp_path)
    assert target.run("restore", str(archive)).returncode == 0
    (target.media_root / "contracts/2026/DEMO-2026-000001.pdf").write_bytes(b"changed")

    refused = target.run("restore", str(archive))
    forced = target.run("restore", str(archive), "--force")

    assert refused.returncode == 1
    assert re.search(r"The configured database already has data: .*dealership_customer \(4\)",
                     refused.stderr)
    assert forced.returncode == 0, forced.stderr
    assert target.row_counts() == counts
    assert media_hashes(target.media_root) == seeded


def test_restore_refuses_database_with_data_and_changes_nothing(seeded, store, tmp_path):
    archive = backup(tmp_path)
    CustomerFactory(store=store)
    (settings.MEDIA_ROOT / "contracts/2026/DEMO-2026-000001.pdf").write_bytes(b"newer")
    counts, files = live_row_counts(), media_hashes(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match=r"already has data: .*dealership_customer \(5\)"):
        call_command("restore", str(archive))

    assert live_row_counts() == counts
    assert media_hashes(settings.MEDIA_ROOT) == files


def test_restore_with_force_replaces_data_added_since_the_backup(seeded, store, tmp_path):
    counts = live_row_counts()
    archive = backup(tmp_path)
    CustomerFactory(store=store)
    (settings.MEDIA_ROOT / "contracts/2026/DEMO-2026-000001.pdf").write_bytes(b"newer")
    out = io.StringIO()

    call_command("restore", str(archive), "--force", stdout=out)

    assert live_row_counts() == counts
    assert media_hashes(settings.MEDIA_ROOT) == seeded
    assert out.getvalue().splitlines()[-1] == "Restore complete."


def test_restore_refuses_archive_of_other_vendor(seeded, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    members = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

    def to_other_vendor(name: str, data: bytes) -> tuple[str, bytes]:
        if name == members[connection.vendor]:
            return members[other], data
        return edit_manifest(lambda manifest: manifest["database"].update(
            vendor=other, file=members[other]))(name, data)

    archive = rewrite(backup(tmp_path), tmp_path / "other.tar.gz", to_other_vendor)
    counts = live_row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force")

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert str(refused.value) == (
        f"Restore failed: other.tar.gz holds a {names[other]} database and the configured "
        f"database is {names[connection.vendor]}: restore it into a database of the same "
        "kind (DATABASE_URL). Nothing was changed.")
    assert live_row_counts() == counts


def test_restore_reports_damaged_media_file(seeded, target, tmp_path):
    def damage(name: str, data: bytes) -> tuple[str, bytes]:
        return name, (data[:-4] + b"XXXX" if name.endswith(".pdf") else data)

    archive = rewrite(backup(tmp_path), tmp_path / "damaged.tar.gz", damage)

    refused = target.run("restore", str(archive))

    assert refused.returncode == 1
    assert ("1 media file(s) in damaged.tar.gz are missing or damaged (SHA-256 differs from "
            "the manifest): contracts/2026/DEMO-2026-000001.pdf. Nothing was changed."
            ) in refused.stderr
    assert target.row_counts() == {}
    assert not target.media_root.exists()


def test_restore_refuses_backup_of_newer_code(seeded, tmp_path):
    archive = rewrite(backup(tmp_path), tmp_path / "newer.tar.gz", edit_manifest(
        lambda manifest: manifest["migrations"].update(dealership="9999_from_the_future")))

    with pytest.raises(CommandError, match=r"migrations unknown to this code: "
                                           r"dealership\.9999_from_the_future\)"):
        call_command("restore", str(archive))


def test_backup_writes_to_data_dir_by_default(seeded, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    out = io.StringIO()

    call_command("backup", stdout=out)

    path = Path(out.getvalue().splitlines()[-1])
    assert path.parent == tmp_path / "data" / "backups"
    assert re.fullmatch(rf"dealership-{connection.vendor}-\d{{8}}T\d{{6}}Z\.tar\.gz", path.name)
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is only used on PostgreSQL")


def test_backup_without_pg_dump_fails_clearly(seeded, monkeypatch, tmp_path):
    require_postgres()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(CommandError, match="Backup failed: pg_dump was not found on PATH"):
        call_command("backup", output=tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


def test_backup_reports_pg_dump_failure(seeded, monkeypatch, tmp_path):
    require_postgres()
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump: error: server version mismatch' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))

    with pytest.raises(CommandError) as failed:
        call_command("backup", output=tmp_path)

    assert str(failed.value) == (
        "Backup failed: pg_dump failed: pg_dump: error: server version mismatch")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


def test_backup_gives_pg_dump_the_password_in_its_environment_only(
        seeded, monkeypatch, tmp_path):
    require_postgres()
    calls = []
    run = subprocess.run

    def record(args, **kwargs):
        calls.append((args, kwargs["env"]))
        return run(args, **kwargs)

    monkeypatch.setattr("dealership.backups.databases.subprocess.run", record)

    backup(tmp_path)

    params = connection.settings_dict
    [(args, env)] = calls
    assert [arg for arg in args if not arg.startswith(("--snapshot=", "--file="))] == [
        shutil.which("pg_dump"), "--format=custom", f"--host={params['HOST']}",
        f"--port={params['PORT']}", f"--username={params['USER']}",
        f"--dbname={params['NAME']}", "--no-password"]
    assert env["PGPASSWORD"] == params["PASSWORD"]
