"""The archive: its members, its manifest, and the SHA-256 of every file in it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

MANIFEST_FORMAT = 1
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def tar_add_media(tar: tarfile.TarFile, *, root: Path) -> list[dict[str, Any]]:
    media = []
    if not root.is_dir():
        return media
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for filename in sorted(files):
            source = Path(directory) / filename
            if source.is_symlink() or not source.is_file():
                continue  # only regular files are stored by the application
            relative = source.relative_to(root).as_posix()
            sha256 = tar_add_file(tar, source=source, name=MEDIA_PREFIX + relative)
            media.append({"path": relative, "size": source.stat().st_size,
                          "sha256": sha256})
    return media


class HashingReader:
    """Hashes exactly the bytes tarfile copies into the archive."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def tar_add_file(tar: tarfile.TarFile, *, source: Path, name: str) -> str:
    with source.open("rb") as raw:
        info = tarfile.TarInfo(name)
        stat = os.fstat(raw.fileno())
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = HashingReader(raw)
        tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def tar_add_bytes(tar: tarfile.TarFile, *, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def archive_extract(archive: Path, *, staging: Path) -> dict[str, Any]:
    """Extract the archive into `staging` and check every file against the manifest."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    hashes: dict[str, str] = {}
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                target = _staging_path(member, staging=staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                with tar.extractfile(member) as source, target.open("wb") as copy:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        copy.write(chunk)
                hashes[member.name] = sha256.hexdigest()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive} is not a readable backup archive: {error}") from None
    manifest = manifest_read(staging / MANIFEST_NAME, archive=archive)
    database_file = manifest["database"]["file"]
    if hashes.get(database_file) != manifest["database"]["sha256"]:
        raise BackupError(f"The database dump in {archive.name} is missing or damaged (its "
                          "SHA-256 differs from the manifest). Nothing was changed.")
    damaged = [item["path"] for item in manifest["media"]
               if hashes.get(MEDIA_PREFIX + item["path"]) != item["sha256"]]
    if damaged:
        raise BackupError(
            f"{len(damaged)} media file(s) in {archive.name} are missing or damaged (SHA-256 "
            f"differs from the manifest): {', '.join(damaged)}. Nothing was changed.")
    listed = {MEDIA_PREFIX + item["path"] for item in manifest["media"]}
    extra = sorted(name for name in hashes
                   if name.startswith(MEDIA_PREFIX) and name not in listed)
    if extra:
        raise BackupError(f"{archive.name} holds files its manifest does not list: "
                          f"{', '.join(extra)}. Nothing was changed.")
    return manifest


def _staging_path(member: tarfile.TarInfo, *, staging: Path) -> Path:
    name = PurePosixPath(member.name)
    allowed = (member.name in (MANIFEST_NAME, *DATABASE_MEMBERS.values())
               or member.name.startswith(MEDIA_PREFIX))
    if (not member.isfile() or not allowed or name.is_absolute()
            or any(part in ("", ".", "..") for part in name.parts) or "\\" in member.name):
        raise BackupError(f"Unexpected entry {member.name!r} in the archive: it was not "
                          "written by `backup`. Nothing was changed.")
    return staging.joinpath(*name.parts)


def manifest_read(path: Path, *, archive: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest["format"] != MANIFEST_FORMAT:
            raise BackupError(f"{archive.name} has manifest format {manifest['format']}; "
                              f"this code reads format {MANIFEST_FORMAT}.")
        if manifest["database"]["file"] != DATABASE_MEMBERS.get(manifest["database"]["vendor"]):
            raise ValueError(f"unknown database {manifest['database']}")
        for item in manifest["media"]:
            if not (isinstance(item["path"], str) and isinstance(item["sha256"], str)):
                raise ValueError(f"media entry {item}")
        manifest["tables"] = {str(table): int(rows)
                              for table, rows in manifest["tables"].items()}
        manifest["created_at"] = str(manifest["created_at"])
        dict(manifest["migrations"])
    except FileNotFoundError:
        raise BackupError(f"{archive.name} has no {MANIFEST_NAME}: it was not written by "
                          "`backup`.") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"The manifest of {archive.name} is unreadable ({error!r}).") from None
    return manifest


def file_sha256(path: Path) -> str:
    sha256 = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


