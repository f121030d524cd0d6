"""python manage.py import_leads FILE --store CODE [--campaign NAME] (DESIGN §4)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealership.models import Store
from leads.importer import ERROR, import_leads_csv
from leads.models import Campaign


class Command(BaseCommand):
    help = ("Import leads from a CSV file (UTF-8 or GB18030) into a store; prints each bad "
            "row, then 'imported: N, duplicates: M, errors: K'.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--store", required=True, help="Store code, e.g. DEMO.")
        parser.add_argument("--campaign", default="", help="Name of a campaign of the store.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"File not found: {path}") from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        code = options["store"].strip().upper()
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(f"Unknown store: {options['store']}")
        campaign = None
        if options["campaign"]:
            campaign = Campaign.objects.filter(store=store, name=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"Store {store.code} has no campaign “{options['campaign']}”.")
        try:
            batch = import_leads_csv(store=store, data=data, filename=path.name, actor=None,
                                     campaign=campaign)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for entry in batch.rows:
            if entry["result"] == ERROR:
                self.stdout.write(f"row {entry['row']}: {entry['message']}")
        self.stdout.write(f"imported: {batch.imported}, duplicates: {batch.duplicates}, "
                          f"errors: {batch.errors}")
