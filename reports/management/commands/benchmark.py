"""Benchmark the app as production serves it, each figure a ratio to a floor measured in
the same run (issue 15 §5).

    python manage.py benchmark [--store DEMO] [--requests 50] [--json FILE]
        [--load/--no-load] [--load-seconds 120] [--growth-from FILE] [--in-process]

Starts gunicorn (2 sync workers, DEBUG off) on a free loopback port, signs in the store's
demo users (sessions written to the database), then for every main page of every stage:
a warm-up, N sequential requests, the median and p95. The floor is the signed-in account
page through the same middleware; each page is printed as median / floor median against
the issue's targets. Query counts come from the same requests run in this process under
CaptureQueriesContext. Then a wall-screen panel's polls, the lead API (new, duplicate, a
concurrent burst), each periodic job (twice, rolled back), the contract PDF, and a locust
load run (50 staff, 10 wall screens). The JSON goes to DATA_DIR/bench/ by default;
`--growth-from` an earlier JSON adds each page's growth.

Everything it writes for the server (sessions, a kiosk link, an API key, the API's leads)
is deleted at the end. `--in-process` uses Django's test client instead of gunicorn (the
fast test; no burst or load run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from dealership.models import Customer, Store
from leads.models import Lead
from reports.bench import extras
from reports.bench.clients import Answer, HttpClient, InProcessClient, Sessions
from reports.bench.figures import add_growth, judge, summary, table
from reports.bench.load import load_run
from reports.bench.pages import MissingData, Page, floor_page, main_pages
from reports.bench.server import WORKERS, gunicorn
from reports.models import KioskLink
from reports.services.kiosk import kiosk_link_create

WARM_UP = 2


class Command(BaseCommand):
    help = "Time every main page through gunicorn as ratios to the account page (floor)."

    def add_arguments(self, parser):
        parser.add_argument("--store", default="DEMO", help="The store (default DEMO).")
        parser.add_argument("--requests", type=int, default=50,
                            help="Timed requests per page after the warm-up (default 50).")
        parser.add_argument("--warm-up", dest="warm_up", type=int, default=WARM_UP,
                            help=f"Untimed requests per page first (default {WARM_UP}).")
        parser.add_argument("--json", dest="json_file", default=None,
                            help="Where to write the JSON (default "
                                 "DATA_DIR/bench/benchmark-<timestamp>.json).")
        parser.add_argument("--load", action=argparse.BooleanOptionalAction, default=True,
                            help="Run the locust load run afterwards (default: yes).")
        parser.add_argument("--load-seconds", type=int, default=120,
                            help="Length of the load run, at most 600 (default 120).")
        parser.add_argument("--growth-from", default=None,
                            help="An earlier run's JSON: adds each page's growth.")
        parser.add_argument("--in-process", action="store_true",
                            help="Django's test client instead of gunicorn (no load run).")
        parser.add_argument("--burst", type=int, default=200,
                            help="New leads sent at once to the API (default 200; 0: none).")
        parser.add_argument("--jobs", action=argparse.BooleanOptionalAction, default=True,
                            help="Run each periodic job twice, rolled back (default: yes).")
        parser.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True,
                            help="Render the contract PDF (default: yes).")

    def handle(self, *args, store: str, requests: int, warm_up: int, json_file: str | None,
               load: bool, load_seconds: int, growth_from: str | None, in_process: bool, burst: int,
               jobs: bool, pdf: bool, **options):
        if requests < 1 or warm_up < 0:
            raise CommandError("--requests must be at least 1, --warm-up at least 0.")
        self.warm_up = warm_up
        if not 10 <= load_seconds <= 600:
            raise CommandError("--load-seconds must be between 10 and 600.")
        if growth_from and not Path(growth_from).is_file():
            raise CommandError(f"--growth-from: no such file: {growth_from}")
        shop = Store.objects.filter(code=store.strip().upper()).first()
        if shop is None:
            raise CommandError(f"Unknown store: {store} (seed it: manage.py seed_demo).")
        try:
            floor, (pages, notes) = floor_page(shop), main_pages(shop)
        except MissingData as missing:
            raise CommandError(f"{missing} (seed it: manage.py seed_demo).") from None
        if not in_process and not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
            notes.append("no REDIS_URL: each gunicorn worker has its own memory cache, so an "
                         "unchanged wall poll may reach the worker that has not cached it "
                         "(production runs with Redis: set REDIS_URL)")
        started = timezone.now()
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        out = Path(json_file) if json_file else settings.DATA_DIR / "bench" / \
            f"benchmark-{stamp}.json"
        sessions = Sessions()
        with ExitStack() as stack:
            stack.callback(sessions.close)
            # With DEBUG off and no ALLOWED_HOSTS, the in-process requests (the query
            # counts) need a host too; gunicorn is given the same one.
            stack.enter_context(override_settings(
                ALLOWED_HOSTS=settings.ALLOWED_HOSTS or ["localhost"]))
            if in_process:
                port = None
            else:
                self.stdout.write("Starting gunicorn (2 sync workers, DEBUG off)…")
                port = stack.enter_context(gunicorn(log=out.with_suffix(".gunicorn.log")))

            def client(cookie: str | None = None):
                if port is None:
                    return InProcessClient(cookie=cookie)
                return HttpClient(port=port, cookie=cookie)

            result = self._run(shop, floor, pages, sessions, client, requests=requests,
                               burst=0 if in_process else burst, jobs=jobs, pdf=pdf)
            if load and port is not None:
                self.stdout.write(f"Load run: {load_seconds} s, 50 staff, 10 wall screens…")
                result["load"] = self._load(shop, pages, sessions, port, load_seconds)
        result["notes"] = notes
        growth_note = add_growth(result["pages"], growth_from) if growth_from else None
        result["meta"] = self._meta(shop, started, requests, in_process, growth_note)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(self._title(result["meta"]))
        self.stdout.write(table(result))
        for note in notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(f"\nJSON: {out}")

    # --- the parts ------------------------------------------------------------------------
    def _run(self, shop: Store, floor: Page, pages: list[Page], sessions: Sessions,
             client: Callable, *, requests: int, burst: int, jobs: bool, pdf: bool) -> dict:
        self.stdout.write(f"Timing {len(pages)} pages and the floor, {requests} requests "
                          f"each…")
        first = self._page(floor, sessions, client, requests)
        rows = [self._page(page, sessions, client, requests) for page in pages]
        # The floor again at the end: the machine may have slowed or sped up meanwhile.
        last = self._page(floor, sessions, client, requests)
        timings = first.pop("timings") + last.pop("timings")
        floor_row = {**first, **summary(timings), "median_ms_start": first["median_ms"],
                     "median_ms_end": last["median_ms"]}
        for row in rows:
            row.pop("timings")
            judge(row, floor_row["median_ms"])
        _flag_page_size(rows)
        manager = floor.user
        result: dict = {"floor": floor_row, "pages": rows}
        self.stdout.write("Wall screen, lead API…")
        result["wall"] = extras.wall_figures(
            store=shop, actor=manager, runs=requests, client=client,
            in_process=lambda: InProcessClient())
        result["api"] = extras.api_figures(
            store=shop, runs=requests, burst=burst, clients=2 * WORKERS, client=client,
            in_process=lambda: InProcessClient())
        if jobs:
            self.stdout.write("Periodic jobs (each twice, rolled back)…")
            result["jobs"] = extras.job_figures()
        if pdf:
            self.stdout.write("Contract PDF…")
            result["pdf"] = extras.pdf_figures(runs=min(requests, 10))
        return result

    def _page(self, page: Page, sessions: Sessions, client: Callable, runs: int) -> dict:
        cookie = sessions.cookie(page.user)
        http = client(cookie)

        def send() -> Answer:
            return http.request("GET", page.path, headers=page.headers)

        for _warm in range(self.warm_up):
            send()
        answers = [send() for _ in range(runs)]
        if isinstance(http, InProcessClient):
            queries = extras.count_queries(send)
        else:
            # The count in this process, whatever the mode: the same request, warmed up.
            local = InProcessClient(cookie=cookie)
            local.request("GET", page.path, headers=page.headers)
            queries = extras.count_queries(lambda: local.request("GET", page.path,
                                                                 headers=page.headers))
        statuses = sorted({answer.status for answer in answers})
        return {"key": page.key, "label": page.label, "kind": page.kind,
                "role": str(page.user.role), "path": page.path,
                "htmx": bool(page.headers), "status": statuses[-1],
                "status_ok": statuses == [200], "bytes": len(answers[-1].body),
                "queries": queries, "timings": [answer.ms for answer in answers],
                **summary([answer.ms for answer in answers])}

    def _load(self, shop: Store, pages: list[Page], sessions: Sessions, port: int,
              seconds: int) -> dict:
        people: dict[str, dict] = {}
        for page in pages:
            if page.headers:
                continue  # partials are fetched by the pages themselves
            person = people.setdefault(page.user.username,
                                       {"cookie": sessions.cookie(page.user), "pages": []})
            person["pages"].append((page.key, page.path))
        link, path = kiosk_link_create(store=shop, label="benchmark load",
                                       actor=pages[0].user)
        try:
            panels = [f"{path}morning/{slot}/" for slot in range(5)]
            return load_run(port=port, seconds=seconds, staff=list(people.values()),
                            panels=panels)
        finally:
            KioskLink.objects.filter(pk=link.pk).delete()

    def _meta(self, shop: Store, started: dt.datetime, requests: int, in_process: bool,
              growth_note: str | None) -> dict:
        return {
            "started_at": started.isoformat(), "finished_at": timezone.now().isoformat(),
            "mode": "in-process" if in_process else f"gunicorn, {WORKERS} sync workers",
            "database": connection.vendor, "store": shop.code, "requests": requests,
            "warm_up": self.warm_up,
            "leads": Lead.objects.filter(store=shop).count(),
            "customers": Customer.objects.filter(store=shop).count(),
            "commit": _commit(), "python": platform.python_version(),
            "django": django.get_version(), "growth_from": growth_note,
        }

    @staticmethod
    def _title(meta: dict) -> str:
        return (f"\nStore {meta['store']}: {meta['leads']:,} leads, {meta['customers']:,} "
                f"customers; {meta['database']}, {meta['mode']}; {meta['requests']} requests "
                f"per page after {meta['warm_up']} warm-up; ratio = median / floor median.\n")


def _flag_page_size(rows: list[dict]) -> None:
    """The 100-row list that answers as many bytes as the 25-row one ignored per_page."""
    by_key = {row["key"]: row for row in rows}
    small, large = by_key.get("lead_list_25"), by_key.get("lead_list_100")
    if small and large and large["bytes"] < small["bytes"] * 1.5:
        large["note"] = "per_page=100 seems not supported: no more rows than 25"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                              cwd=settings.BASE_DIR, capture_output=True, text=True,
                              timeout=5, check=False).stdout.strip()
    except OSError:
        return ""
