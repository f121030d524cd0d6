"""python manage.py restore PATH [--force]: restore an archive written by `backup`.

Refuses, changing nothing, a damaged archive, an archive of the other database vendor, one
from a newer version of the code, and a database that already has data (without --force).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dealership.backups.archive import BackupError
from dealership.backups.services import backup_restore


class Command(BaseCommand):
    help = ("Restore an archive written by `backup` into the configured database and "
            "MEDIA_ROOT, then check the row counts and the files' SHA-256 against its "
            "manifest.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`.")
        parser.add_argument(
            "--force", action="store_true",
            help="Replace a database that already has data (and media files that differ), "
                 "and accept a backup from a newer version of the code.")

    def handle(self, *args, archive: Path, force: bool, **options):
        try:
            result = backup_restore(archive=archive, force=force)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from None
        self.stdout.write(f"Restored {archive.name}, taken {result.created_at} ({result.vendor}).")
        self.stdout.write(f"Database: {result.tables} tables, {result.rows} rows; every row "
                          "count matches the manifest.")
        self.stdout.write(f"Media: {result.media_files} files written to {result.media_root}; "
                          "every SHA-256 matches the manifest.")
        if result.untouched_media:
            self.stdout.write(f"{result.untouched_media} other files under {result.media_root} "
                              "are not in the archive and were left in place.")
        if result.pending_migrations:
            self.stdout.write(self.style.WARNING(
                f"The backup predates {len(result.pending_migrations)} migrations of this code: "
                "run `python manage.py migrate`."))
        self.stdout.write(self.style.SUCCESS("Restore complete."))
