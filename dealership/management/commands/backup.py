"""python manage.py backup [--output PATH]: one archive of the database and the media files.

The archive's path is printed alone on the last line (README, "Backups").
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dealership.backups.archive import BackupError
from dealership.backups.services import backup_create


class Command(BaseCommand):
    help = ("Write one .tar.gz archive of the configured database (SQLite backup API or "
            "pg_dump -Fc), every file under MEDIA_ROOT and a manifest with row counts, "
            "migrations and SHA-256 checksums.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None,
            help="Archive file or existing directory (default: "
                 "DATA_DIR/backups/dealership-<vendor>-<UTC timestamp>.tar.gz).")

    def handle(self, *args, output: Path | None, **options):
        try:
            result = backup_create(output=output)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Database ({result.vendor}): {result.tables} tables, {result.rows} rows. "
                f"Media: {result.media_files} files, {result.media_bytes} bytes.")
        self.stdout.write(str(result.path))
