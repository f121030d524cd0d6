"""Demo commission scheme: a version from three months ago and a richer one from this
month, written through the area's service by the store's manager at the time each was
decided, so last months' statements keep the older terms."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dealership.enums import Role
from dealership.models import Store, User
from reports.models import CommissionScheme
from reports.selectors.targets import month_start
from reports.services.commission import SchemePercents, TierInput, commission_scheme_create


def _months_before(month: dt.date, count: int) -> dt.date:
    for _ in range(count):
        month = month_start(month - dt.timedelta(days=1))
    return month


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    manager = (User.objects.filter(store=store, role=Role.MANAGER, is_active=True)
               .order_by("pk").first())
    if manager is None or CommissionScheme.objects.filter(store=store).exists():
        return
    this_month = month_start(store.today())
    earlier = _months_before(this_month, 3)
    base = Decimal(rng.choice((250, 300, 350)))
    versions = (
        (earlier, [(1, base), (5, base + 100), (10, base + 200)],
         SchemePercents(value_added=Decimal("3.00"), finance=Decimal("1.00"),
                        insurance=Decimal("5.00")), "首版阶梯提成"),
        (this_month, [(1, base), (4, base + 150), (8, base + 300), (12, base + 450)],
         SchemePercents(value_added=Decimal("5.00"), finance=Decimal("1.50"),
                        insurance=Decimal("6.00")), "提高精品与金融提成"),
    )
    for month, tiers, percents, note in versions:
        decided = min(store.day_bounds(month)[0] + dt.timedelta(hours=9), timezone.now())
        commission_scheme_create(
            store=store, valid_from=month, actor=manager, percents=percents, note=note,
            tiers=[TierInput(min_units=units, amount_per_unit=amount) for units, amount in tiers],
            now=decided)
