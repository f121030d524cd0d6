"""python manage.py kiosk_link --store CODE [--label TEXT] (DESIGN §4): a new wall-screen
link for the store. The path (`/wall/<signed>/`) is printed alone on the last line, so a
script can take it with `tail -n 1`; the manager revokes it on the wall-screen links page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealership.models import Store
from reports.services.kiosk import kiosk_link_create


class Command(BaseCommand):
    help = "Make a wall-screen link for a store; its path is printed on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="Store code, e.g. DEMO.")
        parser.add_argument("--label", default="", help="Where the screen is, e.g. 展厅大屏.")

    def handle(self, *args, **options):
        code = options["store"].strip().upper()
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(f"Unknown store: {options['store']}")
        try:
            link, path = kiosk_link_create(store=store, label=options["label"], actor=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Wall-screen link {link.pk} for {store.code}"
                          f"{f' ({link.label})' if link.label else ''}; "
                          "revoke it on the wall-screen links page.")
        self.stdout.write(path)
