"""What every chart report is made of: its tables, its chart, the cells' formats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import pgettext

from dealership.templatetags.money_tags import cny
from reports.metrics import (
    FIGURES_QUERIES,
    Rate,
)

FUNNEL_QUERIES = 1
RANKING_QUERIES = 5 + 1 + FIGURES_QUERIES  # activity, the consultants, the store's §3 figures
LOST_REASONS_QUERIES = 1
FIRST_CONTACT_QUERIES = 1
COMPLAINT_SLA_QUERIES = 1
SATISFACTION_QUERIES = 1
STOCK_AGING_QUERIES = 1
DASH = "—"


# --- Tables and charts ------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One table of a report, every cell already the text the page and the CSV show."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total: tuple[str, ...] | None = None

    def labelled(self, cells: Sequence[str]) -> list[tuple[str, str]]:
        """(column heading, cell) pairs: the phone layout labels each cell."""
        return list(zip(self.header, cells, strict=True))

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        return [self.labelled(row) for row in self.rows]

    @property
    def labelled_total(self) -> list[tuple[str, str]] | None:
        return self.labelled(self.total) if self.total else None


@dataclass(frozen=True)
class Report:
    """What a report page shows: its tables (the truth) and one chart (an enhancement),
    plus, for pages and tests, the figures the totals were checked against."""

    tables: list[Table]
    chart: dict
    is_empty: bool
    totals: dict[str, object] = field(default_factory=dict)


def _chart(labels: Iterable[str], datasets: Iterable[tuple[str, list]], *,
           kind: str = "bar", stacked: bool = False, horizontal: bool = False,
           percent: bool = False, decimals: bool = False) -> dict:
    """The JSON static/js/charts.js draws with Chart.js (numbers only, no markup)."""
    return {"type": kind, "labels": list(labels), "stacked": stacked,
            "horizontal": horizontal, "percent": percent, "decimals": decimals,
            "datasets": [{"label": label, "data": data} for label, data in datasets]}


def _n(value: int) -> str:
    return str(value)


def _money(value: Decimal | None) -> str:
    return DASH if value is None else cny(value)


def _per(amount: Decimal, count: int) -> Decimal | None:
    """A budget per lead or per deal; None (shown "—") without a budget or a count."""
    if not amount or not count:
        return None
    return (amount / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _chart_value(rate: Rate) -> float | None:
    value = rate.value
    return None if value is None else float(value * 100)


def _person(names: dict[int, str], pk: int | None) -> str:
    return names.get(pk, "") if pk is not None else pgettext("consultant", "Not attributed")
