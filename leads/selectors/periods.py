"""Report periods in the store's time zone, and the ratios the screens show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from dealership.models import Store


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date
    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive (midnight after the last day)


def period_for(store: Store, first_day: dt.date, last_day: dt.date) -> Period:
    start, _end = store.day_bounds(first_day)
    _start, end = store.day_bounds(last_day)
    return Period(first_day, last_day, start, end)


def store_today(store: Store, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(store.tzinfo).date()


def this_month(store: Store, now: dt.datetime | None = None) -> Period:
    today = store_today(store, now)
    return period_for(store, today.replace(day=1), today)


def ratio(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """numerator ÷ denominator to two places; None (shown "—") for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"),
                                                                      ROUND_HALF_UP)
