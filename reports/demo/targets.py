"""Demo targets and working calendar: last month's and this month's targets for every
consultant and for the store, the store working all seven days, two national holidays
closed. Written through the area's services, as the manager would."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from dealership.enums import Role
from dealership.models import Store, User
from reports.enums import TargetMetric
from reports.models import ClosedDay
from reports.selectors.targets import month_start
from reports.services.targets import (
    add_months,
    closed_day_add,
    closed_day_range,
    report_settings_update,
    targets_set,
)

# Fixed-date national holidays (元旦, 劳动节, 国庆节): (month, day, note).
HOLIDAYS = ((1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"),
            (10, 2, "国庆节"), (10, 3, "国庆节"))


def _consultant_targets(rng: random.Random) -> dict[str, Decimal]:
    deals = rng.randint(6, 12)
    return {
        TargetMetric.DEALS: Decimal(deals),
        TargetMetric.WALK_INS: Decimal(deals * rng.randint(4, 6)),
        TargetMetric.TEST_DRIVES: Decimal(deals * rng.randint(2, 3)),
        TargetMetric.INVITATIONS: Decimal(deals * rng.randint(3, 5)),
        TargetMetric.NEW_LEADS: Decimal(deals * rng.randint(6, 10)),
        TargetMetric.VALUE_ADDED: Decimal(deals * rng.randint(25, 40) * 100),
    }


def _holidays(store: Store, count: int = 2) -> list[tuple[dt.date, str]]:
    """The next `count` fixed national holidays from the first of last month on."""
    earliest, latest = closed_day_range(store)
    since = add_months(month_start(store.today()), -1)
    days = sorted(dt.date(year, m, d) for year in (since.year, since.year + 1)
                  for m, d, _note in HOLIDAYS)
    notes = {(m, d): note for m, d, note in HOLIDAYS}
    return [(day, notes[(day.month, day.day)]) for day in days
            if since <= day and earliest <= day <= latest][:count]


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    manager = (User.objects.filter(store=store, role=Role.MANAGER, is_active=True)
               .order_by("pk").first())
    if manager is None:
        return
    report_settings_update(store=store, working_weekdays="1234567",
                           daily_report_at=dt.time(18, 30), actor=manager)
    for day, note in _holidays(store):
        if not ClosedDay.objects.filter(store=store, day=day).exists():
            closed_day_add(store=store, day=day, note=note, actor=manager)
    consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                       .order_by("pk").values_list("pk", flat=True))
    this_month = month_start(store.today())
    for month in (add_months(this_month, -1), this_month):
        values: dict[tuple[int | None, str], Decimal | None] = {}
        totals = dict.fromkeys(TargetMetric.values, Decimal(0))
        for consultant_id in consultants:
            for metric, value in _consultant_targets(rng).items():
                values[(consultant_id, metric)] = value
                totals[metric] += value
        for metric, total in totals.items():
            values[(None, metric)] = total
        targets_set(store=store, month=month, values=values, actor=manager)
