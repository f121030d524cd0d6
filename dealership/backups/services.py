"""`backup_create` and `backup_restore`, the two commands' only code paths."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from dealership.backups.archive import (
    CHUNK,
    DATABASE_MEMBERS,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    BackupError,
    archive_extract,
    file_sha256,
    tar_add_bytes,
    tar_add_file,
    tar_add_media,
)
from dealership.backups.databases import (
    VENDOR_NAMES,
    database_vendor,
    django_tables,
    pending_migrations,
    postgres_dump,
    postgres_restore,
    row_counts,
    sqlite_dump,
    sqlite_restore,
)

# Tables that `migrate` fills by itself (roles_sync runs after it): rows there do not
# make a database "one that already has data".
MIGRATE_FILLED_TABLES = frozenset({
    "django_migrations", "django_content_type", "auth_permission", "auth_group",
    "auth_group_permissions",
})


@dataclass
class BackupResult:
    path: Path
    vendor: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int


@dataclass
class RestoreResult:
    created_at: str
    vendor: str
    tables: int
    rows: int
    media_files: int
    media_root: Path
    untouched_media: int
    pending_migrations: list[str] = field(default_factory=list)


def backup_create(*, output: Path | None = None) -> BackupResult:
    """Write one archive of the configured database and MEDIA_ROOT.

    Side effects: creates the archive (mode 0600: it holds personal data and password
    hashes) under a temporary name next to it, renamed into place once complete; runs
    pg_dump on PostgreSQL. The database is only read.
    """
    vendor = database_vendor()
    created = datetime.now(UTC).replace(microsecond=0)
    path = _output_path(output=output, vendor=vendor, created=created)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix="dealership-backup-") as workdir:
        dump = Path(workdir) / DATABASE_MEMBERS[vendor]
        if vendor == "sqlite":
            tables, migrations = sqlite_dump(dump)
        else:
            tables, migrations = postgres_dump(dump)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise BackupError(f"{partial} exists: another backup is being written, or an "
                              "interrupted one left it behind (delete it).") from None
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                database_sha = tar_add_file(tar, source=dump, name=dump.name)
                media = tar_add_media(tar, root=Path(settings.MEDIA_ROOT))
                manifest = {
                    "format": MANIFEST_FORMAT,
                    "created_at": created.isoformat().replace("+00:00", "Z"),
                    "database": {"vendor": vendor, "file": dump.name,
                                 "sha256": database_sha},
                    "migrations": migrations,
                    "tables": tables,
                    "media": media,
                }
                tar_add_bytes(tar, name=MANIFEST_NAME, data=json.dumps(
                    manifest, ensure_ascii=False, indent=2, sort_keys=True).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=path, vendor=vendor, tables=len(tables),
                        rows=sum(tables.values()), media_files=len(media),
                        media_bytes=sum(item["size"] for item in media))


def _output_path(*, output: Path | None, vendor: str, created: datetime) -> Path:
    name = f"dealership-{vendor}-{created:%Y%m%dT%H%M%SZ}.tar.gz"
    if output is None:
        directory = Path(settings.DATA_DIR) / "backups"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / name
    elif output.is_dir():
        path = output / name
    else:
        path = output
    path = path.absolute()
    if path.exists():
        raise BackupError(f"{path} exists already: choose another --output.")
    if not path.parent.is_dir():
        raise BackupError(f"The directory {path.parent} does not exist.")
    return path


def backup_restore(*, archive: Path, force: bool = False) -> RestoreResult:
    """Restore an archive of `backup_create` into the configured database and MEDIA_ROOT.

    Everything is checked first (archive against its manifest, database vendor, migrations
    known to this code, a target without data unless `force`): a refusal changes nothing.
    Side effects: replaces the database's content (pg_restore --clean, or SQLite's backup
    API into the database file); writes the archive's media files over MEDIA_ROOT (other
    files there are left in place).
    """
    vendor = database_vendor()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="dealership-restore-") as workdir:
        staging = Path(workdir)
        manifest = archive_extract(archive, staging=staging)
        archive_vendor = manifest["database"]["vendor"]
        if archive_vendor != vendor:
            raise BackupError(
                f"{archive.name} holds a {VENDOR_NAMES.get(archive_vendor, archive_vendor)} "
                f"database and the configured database is {VENDOR_NAMES[vendor]}: restore "
                "it into a database of the same kind (DATABASE_URL). Nothing was changed.")
        if not force:
            _refuse_unknown_migrations(manifest)
            _refuse_target_with_data(manifest, media_root=media_root)
        dump = staging / manifest["database"]["file"]
        if vendor == "sqlite":
            sqlite_restore(dump)
        else:
            postgres_restore(dump)
        untouched = _media_restore(manifest, staging=staging, media_root=media_root)
    with connection.cursor() as cursor:
        counts = row_counts(cursor, django_tables(cursor))
    wrong = {table: (rows, counts.get(table)) for table, rows in manifest["tables"].items()
             if counts.get(table) != rows}
    if wrong:
        details = ", ".join(f"{table}: {restored} rows, manifest {rows}"
                            for table, (rows, restored) in sorted(wrong.items()))
        raise BackupError(f"The restored row counts differ from the manifest: {details}")
    return RestoreResult(
        created_at=manifest["created_at"], vendor=vendor, tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()), media_files=len(manifest["media"]),
        media_root=media_root, untouched_media=untouched,
        pending_migrations=pending_migrations())


def _refuse_unknown_migrations(manifest: dict[str, Any]) -> None:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    unknown = sorted(f"{app}.{name}" for app, name in manifest["migrations"].items()
                     if (app, name) not in graph.nodes)
    if unknown:
        raise BackupError(
            "The backup was taken by a newer version of the application (migrations "
            f"unknown to this code: {', '.join(unknown)}). Deploy that version first, or "
            "pass --force. Nothing was changed.")


def _refuse_target_with_data(manifest: dict[str, Any], *, media_root: Path) -> None:
    with connection.cursor() as cursor:
        counts = row_counts(cursor, [table for table in django_tables(cursor)
                                      if table not in MIGRATE_FILLED_TABLES])
    filled = sorted((table, rows) for table, rows in counts.items() if rows)
    if filled:
        shown = ", ".join(f"{table} ({rows})" for table, rows in filled[:5])
        more = f" and {len(filled) - 5} more tables" if len(filled) > 5 else ""
        raise BackupError(
            f"The configured database already has data: {shown}{more}. Restore into an empty "
            "database, or pass --force to replace its content. Nothing was changed.")
    differing = [item["path"] for item in manifest["media"]
                 if (media_root / item["path"]).exists()
                 and file_sha256(media_root / item["path"]) != item["sha256"]]
    if differing:
        raise BackupError(
            f"{len(differing)} file(s) under {media_root} differ from the archive's: "
            f"{', '.join(differing[:5])}. Pass --force to overwrite them. Nothing was changed.")


def _media_restore(manifest: dict[str, Any], *, staging: Path, media_root: Path) -> int:
    """Write the archive's files into MEDIA_ROOT; return how many other files are there."""
    root = media_root.resolve()
    for item in manifest["media"]:
        target = (media_root / item["path"]).resolve()
        if not target.is_relative_to(root):
            raise BackupError(f"Media file {item['path']} would be written outside "
                              f"{media_root}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        try:
            with os.fdopen(fd, "wb") as copy, (staging / MEDIA_PREFIX / item["path"]).open(
                    "rb") as source:
                shutil.copyfileobj(source, copy, CHUNK)
                copy.flush()
                os.fsync(copy.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if file_sha256(target) != item["sha256"]:
            raise BackupError(f"{target} does not match its SHA-256 after writing it.")
    restored = {item["path"] for item in manifest["media"]}
    return sum(1 for directory, _, files in os.walk(media_root) for filename in files
               if (Path(directory) / filename).relative_to(media_root).as_posix()
               not in restored)
