"""Build the demo store DEMO: logins for every role, catalogue, stock and customers, then
every stage's history through the demo seeders the stages register.

`--scale large` builds a dealer group instead (dealership.demo.group): DEMO with its
showcase as at the other scales, then ten stores, each with its own staff and 22
consultants, and five years of history (about a million leads, `--leads N` to scale it)
that every stage's seeder writes with `scale="history"`, in bulk (`COPY` on PostgreSQL),
store by store; then `ANALYZE`."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from dealership.demo import bulk, data
from dealership.demo import group as shape
from dealership.demo.logins import CONSULTANT_NAMES, DEMO_PASSWORD, ROLE_LOGINS
from dealership.enums import ConsentSource, Gender, Powertrain, Role, Seniority, StockStatus
from dealership.models import (
    Brand,
    Colour,
    Customer,
    DealerGroup,
    Series,
    StockVehicle,
    Store,
    Team,
    Trim,
    User,
)
from dealership.registry import demo_seeders
from dealership.roles import roles_sync

SCALES = {
    "small": {"customers": 300, "stock": 60},
    "medium": {"customers": 20_000, "stock": 400},
    # DEMO's showcase (its last 90 days, as at the other scales); the group's five years of
    # history come on top (dealership.demo.group).
    "large": {"customers": 3_000, "stock": 600},
}
# (brand, English, WMI, series, body, [(trim, year, powertrain, msrp, seats)], [(colour, hex)])
CATALOGUE = [
    ("丰田", "Toyota", "LVG", [
        ("卡罗拉", "轿车", [("1.5L 先锋版", 2025, Powertrain.ICE, "119800", 5),
                           ("双擎 1.8L 精英版", 2025, Powertrain.HEV, "139800", 5)],
         [("超级白", "#F4F4F2"), ("铂金珍珠白", "#EDEBE4"), ("赛车灰", "#6B6E70")]),
        ("凯美瑞", "轿车", [("2.0S 锋尚版", 2025, Powertrain.ICE, "179800", 5),
                           ("双擎 2.5HE 精英版", 2025, Powertrain.HEV, "209800", 5),
                           ("双擎 2.5HG 豪华版", 2026, Powertrain.HEV, "239800", 5)],
         [("铂金珍珠白", "#EDEBE4"), ("曜岩黑", "#1C1C1E"), ("琥珀金", "#A9864E")]),
        ("RAV4荣放", "SUV", [("2.0L 两驱风尚版", 2025, Powertrain.ICE, "175800", 5),
                             ("双擎 2.5L 四驱旗舰版", 2025, Powertrain.HEV, "259800", 5),
                             ("双擎E+ 2.5L 四驱", 2026, Powertrain.PHEV, "269800", 5)],
         [("超级白", "#F4F4F2"), ("城市灰", "#8A8D8F"), ("极光蓝", "#2E5C8A")]),
        ("汉兰达", "SUV", [("双擎 2.5L 四驱精英版 7座", 2025, Powertrain.HEV, "299800", 7)],
         [("铂金珍珠白", "#EDEBE4"), ("曜岩黑", "#1C1C1E")]),
        ("bZ3", "轿车", [("长续航 Pro", 2025, Powertrain.EV, "169800", 5)],
         [("冰川白", "#F2F4F5"), ("星河蓝", "#20446E")]),
    ]),
    ("理想", "Li Auto", "LW4", [
        ("L7", "SUV", [("Pro", 2025, Powertrain.EREV, "321800", 5),
                       ("Max", 2025, Powertrain.EREV, "359800", 5)],
         [("金属银", "#B8BCC0"), ("星夜黑", "#151515")]),
    ]),
]


class Command(BaseCommand):
    help = "Create the demo store DEMO with a login per role (password demo-pass-2026)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (never on a production database).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the database already has a store.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--leads", type=int, default=None,
                            help="With --scale large: the group's leads over five years "
                                 f"(default {shape.DEFAULT_LEADS:,}); the stores and staff "
                                 "stay the same.")

    def handle(self, *args, scale: str, force: bool, if_empty: bool, seed: int,
               leads: int | None = None, **options):
        if leads is not None and (scale != "large" or leads < 0):
            raise CommandError("--leads is for --scale large, and not negative.")
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates well-known logins; it refuses to run with "
                               "DEBUG off. Pass --force if this really is a demo database.")
        if if_empty and Store.objects.exists():
            self.stdout.write("The database already has a store: nothing seeded.")
            return
        if Store.objects.filter(code="DEMO").exists():
            self.stdout.write("Store DEMO exists already: nothing seeded.")
            return
        rng = random.Random(seed)
        sizes = SCALES[scale]
        self.stdout.write(f"Seeding the demo store DEMO ({scale}); this takes a while.")
        with transaction.atomic():
            with self._stage("staff, catalogue and stock"):
                roles_sync()
                group = DealerGroup.objects.create(code="DEMOGRP", name="示范汽车集团")
                store = Store.objects.create(
                    group=group, code="DEMO", name="示范丰田4S店", timezone="Asia/Shanghai",
                    address="深圳市南山区深南大道9999号", phone="0755-88886666",
                    opens_at=dt.time(8, 30), closes_at=dt.time(20, 0),
                )
                sister = Store.objects.create(
                    group=group, code="DGN", name="东莞示范丰田4S店", timezone="Asia/Shanghai",
                    address="东莞市南城区鸿福路88号", opens_at=dt.time(8, 30),
                    closes_at=dt.time(19, 0),
                )
                users = self._staff(store=store, group=group, consultants=(
                    shape.CONSULTANTS_PER_STORE if scale == "large" else len(CONSULTANT_NAMES)))
                trims = self._catalogue()
                self._stock(rng, store=store, trims=trims, count=sizes["stock"])
                self._stock(rng, store=sister, trims=trims, count=max(10, sizes["stock"] // 3))
            with self._stage("customers"):
                consultants = [u for u in users if u.role == Role.CONSULTANT]
                self._customers(rng, store=store, owners=consultants,
                                count=sizes["customers"])
                self._customers(rng, store=sister, owners=[None],
                                count=max(20, sizes["customers"] // 5))
            # Each stage's history (leads, visits, contracts, ...), in the order they build
            # on each other; the stages register their seeders (dealership.registry).
            for seeder in demo_seeders():
                app = apps.get_containing_app_config(seeder.seed.__module__)
                with self._stage(seeder.label or (app.label if app else seeder.seed.__module__)):
                    seeder.seed(rng, store=store, scale=scale)
            if scale == "large":
                self._group_history(rng, seed=seed, demo=store, group=group, trims=trims,
                                    leads=shape.DEFAULT_LEADS if leads is None else leads)
        self.stdout.write(self.style.SUCCESS(
            f"Demo store DEMO seeded ({scale}). Logins (password {DEMO_PASSWORD}): "
            + ", ".join(u.username for u in users)
        ))

    @contextmanager
    def _stage(self, label: str) -> Iterator[None]:
        # `make run` seeds on first start: say what it is doing rather than sit silent.
        self.stdout.write(f"  {label} …", ending="")
        self.stdout.flush()
        started = time.monotonic()
        yield
        self.stdout.write(f" {time.monotonic() - started:.1f} s")

    def _staff(self, *, store: Store, group: DealerGroup, consultants: int) -> list[User]:
        groups = {g.name: g for g in Group.objects.all()}
        users: list[User] = []

        def make(username: str, role: str, name: str, **extra) -> User:
            user = User(username=username, name=name, role=role, language="zh-hans", **extra)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[role]])
            users.append(user)
            return user

        for username, role, name in ROLE_LOGINS:
            if role == Role.GROUP_EXEC:
                make(username, role, name, dealer_group=group)
            elif role == Role.ADMIN:
                make(username, role, name, is_staff=True, is_superuser=True)
            else:
                make(username, role, name, store=store)
        supervisor = next(u for u in users if u.role == Role.SUPERVISOR)
        teams = [Team.objects.create(store=store, name=name, supervisor=supervisor)
                 for name in ("销售一组", "销售二组")]
        for i, name in enumerate(CONSULTANT_NAMES, start=1):
            make(f"consultant{i}", Role.CONSULTANT, name, store=store,
                 seniority=Seniority.SENIOR if i % 2 else Seniority.JUNIOR,
                 team=teams[(i - 1) // 4])
        if consultants > len(CONSULTANT_NAMES):  # the large group's flagship: bigger teams
            names = random.Random("DEMO-consultants")
            for i in range(len(CONSULTANT_NAMES) + 1, consultants + 1):
                user = User.objects.create(
                    username=f"consultant{i}", name=data.chinese_name(names),
                    role=Role.CONSULTANT, store=store, language="zh-hans",
                    password=users[0].password, team=teams[i % 2],
                    seniority=Seniority.SENIOR if i % 2 else Seniority.JUNIOR)
                user.groups.set([groups[Role.CONSULTANT]])
                users.append(user)
        return users

    # --- the large scale's dealer group -----------------------------------------------------
    def _group_history(self, rng: random.Random, *, seed: int, demo: Store, group: DealerGroup,
                       trims, leads: int) -> None:
        """The group's other stores with their staff and stock, then five years of every
        stage's history in every store (dealership.demo.group), then ANALYZE."""
        with self._stage("group: stores, staff and stock"):
            stores = [demo]
            password = User.objects.filter(store=demo).values_list("password", flat=True)[0]
            for number, (code, name, city) in enumerate(shape.STORES[1:], start=2):
                store = Store.objects.create(
                    group=group, code=code, name=name, timezone="Asia/Shanghai",
                    address=data.address(rng, city), phone=f"0755-8888{number:04d}",
                    opens_at=dt.time(8, 30), closes_at=dt.time(20, 0))
                self._branch_staff(random.Random(f"{seed}-{code}-staff"), store=store,
                                   number=number, password=password)
                self._stock(random.Random(f"{seed}-{code}-stock"), store=store, trims=trims,
                            count=SCALES["large"]["stock"])
                stores.append(store)
        history = shape.begin(total_leads=leads, today=demo.today())
        try:
            for seeder in demo_seeders():
                app = apps.get_containing_app_config(seeder.seed.__module__)
                label = seeder.label or (app.label if app else seeder.seed.__module__)
                with self._stage(f"group history: {label}"):
                    for store in stores:
                        seeder.seed(random.Random(f"{seed}-{store.code}-{label}"),
                                    store=store, scale="history")
                        reset_queries()
        finally:
            shape.end()
        with self._stage("ANALYZE"):
            bulk.analyze()
        self.stdout.write(f"  group: {len(stores)} stores, "
                          f"{sum(history.leads.values()):,} leads of history")

    def _branch_staff(self, rng: random.Random, *, store: Store, number: int,
                      password: str) -> None:
        """A store of the group: one login per store role (`manager02` …), two supervisors
        with a team each, and the consultants (`consultant02_01` …); the demo's password."""
        groups = {g.name: g for g in Group.objects.all()}
        users = []

        def make(username: str, role: str, **extra) -> User:
            user = User(username=username, name=data.chinese_name(rng), role=role,
                        store=store, language="zh-hans", password=password, **extra)
            users.append(user)
            return user

        for username, role, _name in ROLE_LOGINS:
            if role not in (Role.GROUP_EXEC, Role.ADMIN):
                make(f"{username}{number:02d}", role)
        make(f"supervisor{number:02d}b", Role.SUPERVISOR)
        User.objects.bulk_create(users)
        supervisors = [u for u in users if u.role == Role.SUPERVISOR]
        teams = [Team.objects.create(store=store, name=name, supervisor=supervisor)
                 for name, supervisor in zip(("销售一组", "销售二组"), supervisors, strict=True)]
        consultants = [
            make(f"consultant{number:02d}_{i:02d}", Role.CONSULTANT, team=teams[i % 2],
                 seniority=Seniority.SENIOR if i % 3 else Seniority.JUNIOR)
            for i in range(1, shape.CONSULTANTS_PER_STORE + 1)]
        User.objects.bulk_create(consultants)
        through = User.groups.through
        through.objects.bulk_create([
            through(user_id=user.pk, group_id=groups[user.role].pk)
            for user in User.objects.filter(store=store)])

    def _catalogue(self) -> list[tuple[Trim, list[Colour], str]]:
        trims = []
        for brand_name, brand_en, wmi, series_list in CATALOGUE:
            brand, _ = Brand.objects.get_or_create(name=brand_name, defaults={"name_en": brand_en})
            for series_name, body, trim_rows, colour_rows in series_list:
                series, _ = Series.objects.get_or_create(brand=brand, name=series_name,
                                                         defaults={"body_type": body})
                colours = [
                    Colour.objects.get_or_create(series=series, name=name,
                                                 defaults={"hex_code": hex_code})[0]
                    for name, hex_code in colour_rows
                ]
                for trim_name, year, powertrain, msrp, seats in trim_rows:
                    trim, _ = Trim.objects.get_or_create(
                        series=series, name=trim_name, model_year=year,
                        defaults={"powertrain": powertrain, "msrp": Decimal(msrp),
                                  "seats": seats},
                    )
                    trims.append((trim, colours, wmi))
        return trims

    def _stock(self, rng: random.Random, *, store: Store, trims, count: int) -> None:
        today = timezone.localdate()
        statuses = ([StockStatus.IN_STOCK] * 10 + [StockStatus.IN_TRANSIT] * 3
                    + [StockStatus.RESERVED] * 2 + [StockStatus.SOLD] + [StockStatus.DELIVERED] * 3)
        seen: set[str] = set()
        vehicles = []
        for i in range(count):
            trim, colours, wmi = trims[i % len(trims)] if i < len(trims) else rng.choice(trims)
            status = StockStatus.DEMO if i < 6 else rng.choice(statuses)
            vin = data.vin(rng, wmi=wmi, model_year=trim.model_year)
            while vin in seen:
                vin = data.vin(rng, wmi=wmi, model_year=trim.model_year)
            seen.add(vin)
            arrival = None if status == StockStatus.IN_TRANSIT else (
                today - dt.timedelta(days=rng.randrange(1, 150)))
            discount = Decimal(rng.randrange(0, 8)) * Decimal("1000")
            vehicles.append(StockVehicle(
                store=store, trim=trim, colour=rng.choice(colours), vin=vin, status=status,
                arrival_date=arrival, list_price=trim.msrp,
                cost=(trim.msrp * Decimal("0.88") - discount).quantize(Decimal("1")),
                location="展厅" if status == StockStatus.DEMO else rng.choice(
                    ["A区", "B区", "C区", "地下车库"]) + f"-{rng.randrange(1, 60):02d}",
            ))
        StockVehicle.objects.bulk_create(vehicles, batch_size=2000)

    def _customers(self, rng: random.Random, *, store: Store, owners: list, count: int) -> None:
        now = timezone.now()
        today = timezone.localdate()
        phones: set[str] = set()
        id_numbers: set[str] = set()

        def unique_id_number() -> str:
            if rng.random() >= 0.3:
                return ""
            value = data.id_number(rng, today=today)
            while value in id_numbers:  # unique per store, as the constraint demands
                value = data.id_number(rng, today=today)
            id_numbers.add(value)
            return value

        batch: list[Customer] = []
        for _ in range(count):
            phone = data.mobile(rng)
            while phone in phones:
                phone = data.mobile(rng)
            phones.add(phone)
            city = rng.choice(data.CITIES)
            consent = rng.random() < 0.6
            created = now - dt.timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
            batch.append(Customer(
                store=store, name=data.chinese_name(rng), phone=phone,
                gender=rng.choice([Gender.FEMALE, Gender.MALE, Gender.UNKNOWN]), city=city,
                address=data.address(rng, city) if rng.random() < 0.5 else "",
                id_number=unique_id_number(),
                wechat_id=f"wx_{rng.randrange(10**6, 10**7)}" if rng.random() < 0.5 else "",
                marketing_consent=consent, consent_at=created if consent else None,
                consent_source=rng.choice([ConsentSource.SHOWROOM_FORM, ConsentSource.WEBSITE,
                                           ConsentSource.WECHAT]) if consent else "",
                owner=rng.choice(owners), created_at=created,
            ))
            if len(batch) >= 5000:
                Customer.objects.bulk_create(batch)
                batch = []
                reset_queries()  # DEBUG keeps every statement; a large seed would fill memory
        Customer.objects.bulk_create(batch)
