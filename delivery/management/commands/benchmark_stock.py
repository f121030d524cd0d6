"""Measure the inventory board against a throwaway store BENCH with a demo-sized stock.

    python manage.py benchmark_stock [--stock 400] [--leads 5000] [--force]

Everything runs in one transaction that is rolled back: store BENCH (a manager, a
supervisor, four consultants), a catalogue of 5 series × 3 trims × 4 colours, N stock
vehicles with an age spread of 0–150 store days in every status, and open leads of grades
A–C naming the series (bulk inserts). Prints each screen's SQL statements and time (the
median of three requests through django.test.Client after a warm-up). `--stock 400` is
`seed_demo --scale medium`'s stock.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership.demo import data
from dealership.enums import Powertrain, Role, StockStatus
from dealership.models import Brand, Colour, Customer, Series, StockVehicle, Store, Trim, User
from leads.enums import Channel, Grade, LeadStatus
from leads.models import Lead

CODE = "BENCH"
STATUS_WEIGHTS = ((StockStatus.IN_STOCK, 55), (StockStatus.IN_TRANSIT, 15),
                  (StockStatus.RESERVED, 12), (StockStatus.DEMO, 3), (StockStatus.SOLD, 5),
                  (StockStatus.DELIVERED, 10))
SCREENS = (
    ("Inventory board (manager)", "manager", "/delivery/stock/"),
    ("Inventory board, 90+ days filter", "manager", "/delivery/stock/?age=90%2B"),
    ("Inventory board (supervisor)", "supervisor", "/delivery/stock/"),
    ("Stock detail (manager)", "manager", None),
)


class Command(BaseCommand):
    help = "Time the inventory board on a store with N stock vehicles (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--stock", type=int, default=400)
        parser.add_argument("--leads", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (never on a production database).")

    def handle(self, *args, stock: int, leads: int, seed: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("benchmark_stock writes a store BENCH (rolled back); it refuses "
                               "to run with DEBUG off. Pass --force on a scratch database.")
        if Store.objects.filter(code=CODE).exists():
            raise CommandError("A store BENCH exists; delete it first.")
        rng = random.Random(seed)  # noqa: S311 - demo data, no secret
        with transaction.atomic():
            store, users = build(rng, stock=stock, leads=leads)
            first = StockVehicle.objects.filter(store=store).order_by("pk").first()
            lines = [f"{stock:,} stock vehicles, {leads:,} leads, {connection.vendor}",
                     "| screen | statements | ms |", "| --- | --: | --: |"]
            for what, who, url in SCREENS:
                queries, ms, status = measure(users[who], url or f"/delivery/stock/{first.pk}/")
                lines.append(f"| {what} | {queries} | {ms:.0f} |"
                             + ("" if status == 200 else f" HTTP {status}"))
            transaction.set_rollback(True)
        self.stdout.write("\n".join(lines))


def build(rng: random.Random, *, stock: int, leads: int) -> tuple[Store, dict[str, User]]:
    store = Store.objects.create(code=CODE, name="基准测试门店", timezone="Asia/Shanghai",
                                 opens_at=dt.time(8, 30), closes_at=dt.time(20, 0))
    users = {}
    for name, role in (("manager", Role.MANAGER), ("supervisor", Role.SUPERVISOR),
                       *((f"consultant{i}", Role.CONSULTANT) for i in range(4))):
        person = User(username=f"bench-{name}", name=name, role=role, store=store)
        person.set_unusable_password()
        person.save()
        users[name] = person
    brand = Brand.objects.create(name="基准品牌")
    series_names = ["基准轿车", "基准SUV", "基准MPV", "基准跨界", "基准电动"]
    trims, colours = [], {}
    for name in series_names:
        series = Series.objects.create(brand=brand, name=name)
        for i in range(3):
            trims.append(Trim.objects.create(series=series, name=f"版本{i}", model_year=2025,
                                             powertrain=Powertrain.HEV,
                                             msrp=Decimal("200000")))
        colours[series.pk] = [Colour.objects.create(series=series, name=f"颜色{i}")
                              for i in range(4)]
    today = store.today()
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    cars = []
    for n in range(stock):
        trim = rng.choice(trims)
        status = rng.choice(statuses)
        cars.append(StockVehicle(
            store=store, trim=trim, colour=rng.choice(colours[trim.series_id]),
            vin=data.vin(random.Random(900_000 + n), wmi="LBE", model_year=2025),  # noqa: S311
            status=status,
            arrival_date=None if status == StockStatus.IN_TRANSIT
            else today - dt.timedelta(days=rng.randrange(0, 150)),
            cost=Decimal("170000"), list_price=Decimal("199800"), location=f"A-{n % 60}"))
    StockVehicle.objects.bulk_create(cars, batch_size=500)
    consultants = [u for k, u in users.items() if k.startswith("consultant")]
    now = timezone.now()
    customers = [Customer(store=store, name=data.chinese_name(rng),
                          phone=f"+86139{n:08d}", owner=rng.choice(consultants),
                          created_at=now) for n in range(leads)]
    Customer.objects.bulk_create(customers, batch_size=500)
    Lead.objects.bulk_create([
        Lead(store=store, customer=c, owner_id=c.owner_id, channel=Channel.WALK_IN,
             grade=rng.choice((Grade.A, Grade.B, Grade.C)), status=LeadStatus.CONTACTED,
             model_interest=rng.choice(series_names), created_at=now,
             follow_up_due_at=now + dt.timedelta(days=3))
        for c in customers], batch_size=500)
    return store, users


def measure(user: User, url: str) -> tuple[int, float, int]:
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", ".")),
                "localhost")
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    client.force_login(user)
    client.get(url, secure=True)  # warm-up
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append(time.perf_counter() - started)
    return len(queries), statistics.median(timings) * 1000, response.status_code
