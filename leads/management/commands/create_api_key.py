"""python manage.py create_api_key --store CODE --channel CHANNEL (DESIGN §4).

The key is printed once, alone on the last line; only its prefix and hash are stored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealership.models import Store
from leads.api import api_key_create
from leads.enums import Channel


class Command(BaseCommand):
    help = "Create an API key of the lead intake API for a store and channel."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="Store code, e.g. DEMO.")
        parser.add_argument("--channel", required=True,
                            help=f"One of: {', '.join(Channel.values)}.")
        parser.add_argument("--name", default="", help="Who uses the key, e.g. 'Autohome'.")
        parser.add_argument("--rate-limit", type=int, default=600, dest="rate_limit",
                            help="Requests per minute (default 600).")

    def handle(self, *args, **options):
        store = Store.objects.filter(code=options["store"].strip().upper()).first()
        if store is None:
            raise CommandError(f"Unknown store: {options['store']}")
        channel = options["channel"].strip()
        if channel not in Channel.values:
            raise CommandError(
                f"Unknown channel: {channel} (use one of: {', '.join(Channel.values)})")
        if options["rate_limit"] < 1:
            raise CommandError("--rate-limit must be at least 1.")
        if len(options["name"]) > 100:
            raise CommandError("--name has at most 100 characters.")
        try:
            api_key, key = api_key_create(store=store, channel=channel, name=options["name"],
                                          rate_limit_per_minute=options["rate_limit"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"API key {api_key.prefix}… for {store.code}, channel {channel}, "
            f"{api_key.rate_limit_per_minute} requests a minute. It is shown only now:")
        self.stdout.write(key)
