"""Measure the lead screens and jobs against a throwaway store BENCH with many leads.

    python manage.py benchmark_leads [--leads 100000] [--keep] [--force]

Builds store BENCH (a manager, a supervisor, eight consultants, N leads with the demo's
history, all with bulk inserts), then prints one table: each screen's SQL statements and
time (the median of three requests after a warm-up, through django.test.Client), and
each periodic job's statements and time on a first and a second run. The jobs run inside
a transaction that is rolled back, so they change nothing, in BENCH or in other stores.
BENCH is deleted at the end unless --keep.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dealership.demo import data
from dealership.enums import Role, Seniority
from dealership.models import Customer, Store, Team, User
from leads import demo
from leads.models import (
    Campaign,
    ConsentChange,
    ConsultantRouting,
    ImportBatch,
    Lead,
    LeadEvent,
    LeadIntake,
    LeadPolicy,
    LostRequest,
    Notification,
    OutboundMessage,
    Task,
    Touch,
)

CODE = "BENCH"
PREFIX = "bench-"
JOBS = ("escalate_first_contact", "flag_overdue", "make_dormant", "queue_reactivation",
        "recycle_to_pool")


@dataclass
class Row:
    what: str
    queries: str
    ms: str
    note: str = ""


class Command(BaseCommand):
    help = "Time the lead list, the team board and the lead jobs on a store with N leads."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=100_000,
                            help="How many leads store BENCH gets (default 100000).")
        parser.add_argument("--keep", action="store_true",
                            help="Keep store BENCH afterwards (log in as bench-manager).")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (never on a production database).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed.")

    def handle(self, *args, leads: int, keep: bool, force: bool, seed: int, **options):
        if not settings.DEBUG and not force:
            raise CommandError("benchmark_leads writes and deletes a store BENCH; it refuses "
                               "to run with DEBUG off. Pass --force on a scratch database.")
        if leads < 1:
            raise CommandError("--leads must be at least 1.")
        old = Store.objects.filter(code=CODE).first()
        if old is not None:
            self.stdout.write("Deleting store BENCH left by an earlier run.")
            delete_bench(old)
        started = time.perf_counter()
        with transaction.atomic():
            store = build_store()
            made = build_leads(random.Random(seed),  # noqa: S311 - demo data, no secret
                               store=store, count=leads)
        analyze()
        self.stdout.write(f"Built store BENCH with {made:,} leads in "
                          f"{time.perf_counter() - started:.1f} s on {connection.vendor}.")
        total = Lead.objects.count()
        try:
            rows = [*measure_pages(), *measure_jobs()]
        finally:
            if keep:
                self.stdout.write("Kept store BENCH (users bench-manager, bench-supervisor, "
                                  "bench-consultant1…8; no password: use `changepassword`).")
            else:
                delete_bench(store)
        self.stdout.write(table(rows, title=(
            f"{made:,} leads in BENCH, {connection.vendor}. The jobs ran over every store "
            f"({total:,} leads) and were rolled back.")))


# --- Building BENCH ---------------------------------------------------------------------------
def build_store() -> Store:
    store = Store.objects.create(code=CODE, name="基准测试门店", timezone="Asia/Shanghai",
                                 opens_at=dt.time(8, 30), closes_at=dt.time(20, 0))

    def user(name: str, role: str, **extra) -> User:
        person = User(username=PREFIX + name, name=name, role=role, store=store, **extra)
        person.set_unusable_password()
        person.save()
        return person

    user("manager", Role.MANAGER)
    supervisor = user("supervisor", Role.SUPERVISOR)
    teams = [Team.objects.create(store=store, name=f"基准{i}组", supervisor=supervisor)
             for i in (1, 2)]
    for i in range(1, 9):
        user(f"consultant{i}", Role.CONSULTANT, team=teams[i % 2],
             seniority=Seniority.SENIOR if i % 2 else Seniority.JUNIOR)
    return store


def build_leads(rng: random.Random, *, store: Store, count: int) -> int:
    """Customers in chunks, each chunk's leads from the demo's history builder."""
    builder = demo.Builder(rng, store, lean=True)
    builder.setup()
    consultants = builder.consultants
    now = timezone.now()
    phones: set[str] = set()
    made = 0
    while made < count:
        customers = []
        # About one lead per customer: a small run makes few spare customers.
        for _ in range(min(demo.CHUNK, (count - made) * 6 // 5 + 20)):
            phone = data.mobile(rng)
            while phone in phones:
                phone = data.mobile(rng)
            phones.add(phone)
            joined = now - dt.timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
            consent = rng.random() < 0.6
            customers.append(Customer(
                store=store, name=data.chinese_name(rng), phone=phone,
                city=rng.choice(data.CITIES), owner_id=rng.choice(consultants),
                marketing_consent=consent, consent_at=joined if consent else None,
                created_at=joined))
        Customer.objects.bulk_create(customers, batch_size=demo.BATCH)
        plans = [plan for c in customers
                 for plan in builder.plans_for(c.pk, c.owner_id, c.created_at)]
        plans = plans[:count - made]
        demo.write(plans)
        made += len(plans)
        reset_queries()  # DEBUG keeps every statement; these are big ones
    return made


def analyze() -> None:
    """On PostgreSQL, refresh the planner's statistics as autovacuum would after a load
    this size: a plan made for empty tables would measure the load, not the query. SQLite
    has no autovacuum, so an application database there never has statistics either."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Customer, Lead, LeadEvent, Touch, LostRequest, Task, Notification):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def delete_bench(store: Store) -> None:
    """Children first, each a single set-based DELETE; Django's collector would load every
    lead into memory first."""
    with transaction.atomic():
        leads = Lead.objects.filter(store=store)
        for model in (LeadEvent, Touch, LostRequest, Task, LeadIntake):
            model.objects.filter(lead__in=leads).delete()
        Notification.objects.filter(store=store).delete()
        OutboundMessage.objects.filter(store=store).delete()
        ConsentChange.objects.filter(customer__store=store).delete()
        _raw_delete(Lead, store)
        _raw_delete(Customer, store)
        for model in (Campaign, ConsultantRouting, LeadPolicy, ImportBatch):
            model.objects.filter(store=store).delete()
        User.objects.filter(store=store).update(team=None)
        Team.objects.filter(store=store).delete()
        User.objects.filter(store=store).delete()
        store.delete()


def _raw_delete(model, store: Store) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - table name from the model
                       "WHERE store_id = %s", [store.pk])


# --- Measuring --------------------------------------------------------------------------------
def _client(username: str) -> Client:
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", ".")),
                "localhost")
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    client.force_login(User.objects.get(username=PREFIX + username))
    return client


def measure_page(what: str, username: str, url_name: str, query: str = "") -> Row:
    try:
        url = reverse(url_name) + query
    except NoReverseMatch:
        return Row(what, "—", "—", f"{url_name} does not exist (yet)")
    client = _client(username)
    client.get(url, secure=True)  # warm-up: templates, translations, session
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append(time.perf_counter() - started)
    note = f"GET {url} → {response.status_code}"
    return Row(what, str(len(queries)), f"{statistics.median(timings) * 1000:.0f}", note)


def measure_pages() -> list[Row]:
    customer = Customer.objects.filter(store__code=CODE).order_by("pk").first()
    digits = customer.phone[-4:] if customer else "0000"
    return [
        measure_page("Lead list (manager)", "manager", "leads:list"),
        measure_page("Lead list, overdue (manager)", "manager", "leads:list", "?overdue=yes"),
        measure_page("Lead list, phone search", "manager", "leads:list", f"?q={digits}"),
        measure_page("Lead list (consultant)", "consultant1", "leads:list"),
        measure_page("Team board (supervisor)", "supervisor", "leads:team_board"),
        measure_page("Team board (manager)", "manager", "leads:team_board"),
    ]


def measure_jobs() -> list[Row]:
    try:
        jobs = importlib.import_module("leads.jobs")
    except ImportError:
        jobs = None
    rows = []
    for name in JOBS:
        job = getattr(jobs, name, None)
        if job is None:
            rows.append(Row(f"job {name}", "—", "—", "not built (yet)"))
            continue
        now = timezone.now()
        # Rolled back: the numbers are real, the changes are not kept.
        with transaction.atomic():
            for run in ("1st", "2nd"):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = job(now)
                    elapsed = time.perf_counter() - started
                rows.append(Row(f"job {name} ({run} run)", str(len(queries)),
                                f"{elapsed * 1000:.0f}", f"result {result}"))
            transaction.set_rollback(True)
    return rows


def table(rows: list[Row], *, title: str) -> str:
    header = Row("What", "SQL statements", "Time (ms)", "Note")
    cells = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in cells) for f in ("what", "queries", "ms")]
    lines = [f"\n{title}", ""]
    for index, r in enumerate(cells):
        lines.append(f"| {r.what:<{widths[0]}} | {r.queries:>{widths[1]}} | "
                     f"{r.ms:>{widths[2]}} | {r.note} |")
        if index == 0:
            lines.append(f"| {'-' * widths[0]} | {'-' * (widths[1] - 1)}: | "
                         f"{'-' * (widths[2] - 1)}: | --- |")
    return "\n".join(lines)
