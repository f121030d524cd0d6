"""Receive a CSV of cars into a store, as the web import does (the same service, the same
row-by-row report).

    python manage.py import_stock FILE --store CODE [--user USERNAME]

Prints one `row R: reason` line per row in error and a summary line
`received: N, unchanged: M, errors: K`. Without --user the import is recorded as done by
the system (no actor)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealership.models import Store, User
from delivery.services.inventory import ERROR, stock_import


class Command(BaseCommand):
    help = "Receive stock vehicles from a CSV file (UTF-8 or GB18030) into a store."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--store", required=True, help="The store's code.")
        parser.add_argument("--user", default="", help="The manager recorded as importer.")

    def handle(self, *args, file: Path, store: str, user: str, **options):
        try:
            target = Store.objects.get(code=store)
        except Store.DoesNotExist:
            raise CommandError(f"No store with code {store!r}.") from None
        actor = None
        if user:
            actor = User.objects.filter(username=user, store=target).first()
            if actor is None:
                raise CommandError(f"No user {user!r} in store {store}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            batch = stock_import(actor=actor, store=target, file=data, filename=file.name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        for row in batch.rows:
            if row["result"] == ERROR:
                self.stdout.write(f"row {row['row']}: {row['message']}")
        self.stdout.write(f"received: {batch.received}, unchanged: {batch.unchanged}, "
                          f"errors: {batch.errors}")
