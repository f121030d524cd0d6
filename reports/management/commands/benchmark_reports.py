"""Measure the reports on a store's real data (issue 13: the morning meeting on
`seed_demo --scale large`, the cost of an unchanged wall-screen poll, the daily PDF; issue
15: the manager's store overview, the complaint board and the delivery calendar).

    python manage.py benchmark_reports [--store DEMO] [--day YYYY-MM-DD] [--runs 5] [--force]

Everything it writes (a manager's session, a kiosk link) is in one transaction that is
rolled back; the PDF is rendered in memory, never stored. Each line is the median of
`--runs` runs after one warm-up, with the SQL statements of one run.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.selectors.complaints import complaint_board
from dealership.enums import Role
from dealership.models import Store, User
from delivery.selectors.handover import delivery_calendar_for_user
from reports.documents import daily_report_pdf
from reports.metrics import store_figures
from reports.selectors.home import store_overview_for
from reports.selectors.meetings import evening_board, morning_board
from reports.services.kiosk import kiosk_link_create


def measure(run: Callable[[], object], runs: int) -> tuple[int, float, object]:
    """(statements of one run, median ms of `runs` runs after a warm-up, last result)."""
    result = run()
    # A request empties the connection's query log when it starts (request_started), so
    # the log is emptied first: the count is then this run's statements alone.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        timings.append((time.perf_counter() - started) * 1000)
    return len(queries), statistics.median(timings), result


class Command(BaseCommand):
    help = ("Time the §3 figures, the meetings, the store overview and the boards, a "
            "wall-screen poll and the daily PDF.")

    def add_arguments(self, parser):
        parser.add_argument("--store", default="DEMO")
        parser.add_argument("--day", default=None, help="The meeting day (default: today).")
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (it writes, then rolls back).")

    def handle(self, *args, store: str, day: str | None, runs: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("benchmark_reports writes a session and a kiosk link (rolled "
                               "back); it refuses to run with DEBUG off. Pass --force.")
        shop = Store.objects.filter(code=store.strip().upper()).first()
        if shop is None:
            raise CommandError(f"Unknown store: {store}")
        manager = User.objects.filter(store=shop, role=Role.MANAGER, is_active=True).first()
        if manager is None:
            raise CommandError(f"Store {shop.code} has no active manager to open the pages.")
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        try:
            today = dt.date.fromisoformat(day) if day else shop.today()
        except ValueError:
            raise CommandError(f"--day: not a date in the form YYYY-MM-DD: {day!r}") from None
        yesterday = today - dt.timedelta(days=1)
        lines = [f"{shop.code} on {today}, {connection.vendor}, median of {runs} runs",
                 "| what | statements | ms |", "| --- | --: | --: |"]

        def row(what: str, run: Callable[[], object]) -> object:
            count, ms, result = measure(run, runs)
            lines.append(f"| {what} | {count} | {ms:,.0f} |")
            return result

        with transaction.atomic():
            row("§3 figures, one day", lambda: store_figures(store=shop, first_day=yesterday))
            row("§3 figures, month to date", lambda: store_figures(
                store=shop, first_day=today.replace(day=1), last_day=today))
            row("Morning board (computed)", lambda: morning_board(store=shop, day=today))
            board = row("Evening board (computed)", lambda: evening_board(store=shop, day=today))
            row("Store overview (computed)", lambda: store_overview_for(user=manager))
            row("Complaint board (computed)", lambda: complaint_board(
                user=manager, filters={}, now=timezone.now()))
            row("Delivery calendar (computed)", lambda: delivery_calendar_for_user(
                user=manager, day=today))
            host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS
                         if h not in ("*", ".")), "localhost")
            client = Client(HTTP_HOST=host, raise_request_exception=False)
            client.force_login(manager)
            for name in ("morning_meeting", "evening_meeting"):
                url = f"{reverse(f'reports:{name}')}?day={today}"
                row(f"{name.replace('_', ' ').capitalize()} page (manager)",
                    lambda url=url: self._ok(client.get(url, secure=True), 200))
            _link, path = kiosk_link_create(store=shop, label="benchmark", actor=manager)
            wall = Client(HTTP_HOST=host, raise_request_exception=False)
            panel = f"{path}morning/1/"
            row("Wall panel, first poll (200)",
                lambda: self._ok(wall.get(panel, secure=True), 200))
            # The ETag carries a 5-minute bucket: take it right before the unchanged polls.
            unchanged = {"if-none-match": wall.get(panel, secure=True)["ETag"]}
            row("Wall panel, unchanged poll (304)",
                lambda: self._ok(wall.get(panel, secure=True, headers=unchanged), 304))
            pdf = row("Daily report PDF (render only)", lambda: daily_report_pdf(board))
            lines.append(f"\nPDF: {len(pdf) / 1024:.1f} KiB")
            transaction.set_rollback(True)
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _ok(response, status: int):
        if response.status_code != status:
            raise CommandError(f"{response.request['PATH_INFO']} answered "
                               f"{response.status_code}, not {status}.")
        return response
