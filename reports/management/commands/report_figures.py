"""python manage.py report_figures --store CODE --date YYYY-MM-DD [--to YYYY-MM-DD]
[--format json|table] (DESIGN §4): every §3 figure of a store-local day or period.

The figures come from `reports.metrics.store_figures`, the code the pages, the wall screen,
the daily PDF and the CSV exports read. JSON: counts as integers, rates as numbers with
at most 4 places, null for a zero denominator.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dealership.models import Store
from reports.metrics import Figures, Rate, store_figures

# Business range of a report date: the system did not exist before, nor do figures of
# the far future mean anything.
EARLIEST = dt.date(2000, 1, 1)
LONGEST_PERIOD_DAYS = 366 * 5


def _date(value: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date in the form YYYY-MM-DD: {value!r}") from None
    if day < EARLIEST or day.year > 2100:
        raise CommandError(f"{option}: {value} is outside 2000-01-01 … 2100-12-31.")
    return day


class Command(BaseCommand):
    help = "Print every DESIGN §3 figure of a store for a local day or period."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="Store code, e.g. DEMO.")
        parser.add_argument("--date", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", default=None, help="Last day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--format", default="table", choices=("json", "table"))

    def handle(self, *args, **options):
        store = Store.objects.filter(code=options["store"].strip().upper()).first()
        if store is None:
            raise CommandError(f"Unknown store: {options['store']}")
        first_day = _date(options["date"], "--date")
        last_day = _date(options["to"], "--to") if options["to"] else first_day
        if last_day < first_day:
            raise CommandError(f"--to {last_day} is before --date {first_day}.")
        if (last_day - first_day).days >= LONGEST_PERIOD_DAYS:
            raise CommandError("A period is at most five years long.")
        figures = store_figures(store=store, first_day=first_day, last_day=last_day)
        if options["format"] == "json":
            self.stdout.write(json.dumps(
                {key: (float(value) if value is not None and not isinstance(value, int)
                       else value) for key, value in figures.as_json().items()},
                ensure_ascii=False))
        else:
            self._table(figures)

    def _table(self, figures: Figures) -> None:
        period = (f"{figures.first_day}" if figures.first_day == figures.last_day
                  else f"{figures.first_day} … {figures.last_day}")
        self.stdout.write(f"{figures.store_code} · {period}")
        width = max(len(key) for key in Figures.KEYS)
        for key in Figures.KEYS:
            value = getattr(figures, key)
            if isinstance(value, Rate):
                shown = (f"{value.percent}  ({value.numerator}/{value.denominator})"
                         if value.denominator else _("—"))
            else:
                shown = str(value)
            self.stdout.write(f"{key.ljust(width)}  {shown}")
