"""The shape of `seed_demo --scale large`: a dealer group of ten stores with five years of
history, about 57 new leads per store and day on average (busier weekends, some growth
over the years, each store its own size), one million and fifty thousand leads in all.
`--leads N` scales the history, never the staff: every store keeps its manager,
supervisors, desk, finance, after-sales staff and 22 consultants, so a benchmark at 10,000
leads and one at a million read the same organisation.

`seed_demo` writes the shape here (`begin`) before it runs the stages' seeders with
`scale="history"`; each stage's history reads it through `current()`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

YEARS = 5
DEFAULT_LEADS = 1_050_000
CONSULTANTS_PER_STORE = 22
# code, name, city of the group's stores (DEMO is the store of the well-known logins).
STORES = [
    ("DEMO", "示范丰田4S店", "深圳"),
    ("DEMO02", "示范丰田宝安店", "深圳"),
    ("DEMO03", "示范丰田龙岗店", "深圳"),
    ("DEMO04", "示范丰田东莞店", "东莞"),
    ("DEMO05", "示范丰田惠州店", "惠州"),
    ("DEMO06", "示范丰田广州天河店", "广州"),
    ("DEMO07", "示范丰田佛山店", "佛山"),
    ("DEMO08", "示范丰田中山店", "中山"),
    ("DEMO09", "示范丰田珠海店", "珠海"),
    ("DEMO10", "示范理想汽车南山店", "深圳"),
]
# Relative size of each store (a flagship sells more than a small-town store).
STORE_WEIGHT = [1.2, 1.1, 1.0, 1.05, 0.85, 1.15, 0.95, 0.85, 0.9, 0.95]
WEEKDAY_WEIGHT = [0.85, 0.8, 0.8, 0.85, 0.95, 1.45, 1.5]  # Monday … Sunday


@dataclass
class History:
    """What the stages' history seeders need to know."""

    today: dt.date
    days: int
    leads: dict[str, int]  # store code -> leads over the whole history
    # store pk -> first lead id of its history (rows below are the showcase's)
    lead_floor: dict[int, int] = field(default_factory=dict)

    @property
    def first_day(self) -> dt.date:
        return self.today - dt.timedelta(days=self.days - 1)


_current: History | None = None


def begin(*, total_leads: int, today: dt.date) -> History:
    global _current
    total_weight = sum(STORE_WEIGHT)
    leads = {code: round(total_leads * weight / total_weight)
             for (code, _name, _city), weight in zip(STORES, STORE_WEIGHT, strict=True)}
    _current = History(today=today, days=YEARS * 365 + 1, leads=leads)
    return _current


def current() -> History:
    if _current is None:
        raise RuntimeError("seed_demo did not begin a group history")
    return _current


def end() -> None:
    global _current
    _current = None


def daily_counts(rng: random.Random, *, total: int, first: dt.date,
                 days: int) -> list[tuple[dt.date, int]]:
    """`total` leads spread over `days` days from `first`: growing from 70 % to 130 % of
    the mean over the years, weekends busier, a few quiet and a few busy days; the counts
    add up to `total` exactly."""
    weights = []
    for index in range(days):
        day = first + dt.timedelta(days=index)
        growth = 0.7 + 0.6 * index / max(days - 1, 1)
        noise = rng.uniform(0.8, 1.2)
        if day.month == 2 and day.day < 12:  # the Spring Festival lull, roughly
            noise *= 0.45
        weights.append(growth * WEEKDAY_WEIGHT[day.weekday()] * noise)
    # Cumulative rounding: exact in total, and a small total still spreads over the years
    # (rounding each day alone would give every lead to the busiest days).
    scale = total / sum(weights)
    counts, running, given = [], 0.0, 0
    for weight in weights:
        running += weight * scale
        count = round(running) - given
        counts.append(count)
        given += count
    counts[-1] += total - given
    return [(first + dt.timedelta(days=i), counts[i]) for i in range(days)]
