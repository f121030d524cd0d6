"""The daily report PDF (WeasyPrint): the evening meeting's board of one store day
(`reports.selectors.meetings.evening_board`) with its charts, in the active language (the
render service wraps it in translation.override("zh-hans")).

It is made the way contracts' PDFs are (contracts.documents.render_pdf: the embedded CJK
font, the print stylesheet, a URL fetcher that reads nothing but our static files). The
charts are SVG drawn by the template from the numbers worked out here: WeasyPrint runs no
JavaScript. Names are the consultants' (an internal document); a customer appears only
by masked name (张*伟) in tomorrow's plan, never with a phone number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from contracts.documents import RenderedPDF, render_pdf
from reports.enums import NoteTopic, TargetMetric
from reports.metrics import FIGURE_LABELS, Figures
from reports.selectors.meetings import EveningBoard

TEMPLATE = "reports/pdf/daily_report.html"
BAR_WIDTH = 100  # the SVG's user units: a full bar


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: `length` in BAR_WIDTH units; `mark` (a target's pace), too."""

    label: str
    value: str
    length: Decimal
    mark: Decimal | None = None
    behind: bool = False


def _length(value, top) -> Decimal:
    if not top or not value:
        return Decimal(0)
    share = min(Decimal(value) / Decimal(top), Decimal(1))
    return (share * BAR_WIDTH).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _rate_bars(figures: Figures) -> list[Bar]:
    bars = []
    for key in Figures.RATES:
        rate = getattr(figures, key)
        bars.append(Bar(label=FIGURE_LABELS[key], value=rate.percent,
                        length=_length(rate.value or 0, 1)))
    return bars


def _target_bars(board: EveningBoard) -> list[Bar]:
    """The team's month to date as a share of each target, the pace as a mark."""
    bars = []
    for line in board.month.team:
        if not line.target:
            continue
        top = max(Decimal(line.target), Decimal(line.actual))
        bars.append(Bar(
            label=line.label, value=f"{line.actual} / {line.target.normalize():f}",
            length=_length(line.actual, top),
            mark=_length(line.expected, top) if line.expected is not None else None,
            behind=line.is_behind))
    return bars


def _consultant_bars(board: EveningBoard, metric: str) -> list[Bar]:
    values = [(str(row.consultant), row.activity.get(metric)) for row in board.consultants_day]
    top = max((value for _name, value in values), default=0)
    return [Bar(label=name, value=str(value), length=_length(value, top))
            for name, value in values]


def daily_report_context(board: EveningBoard, *, now: dt.datetime | None = None) -> dict:
    store = board.store
    return {
        "board": board,
        "made_at": timezone.localtime(now or timezone.now(), store.tzinfo),
        "topics": NoteTopic,
        "store": store,
        "group": store.group,
        "day": board.day,
        "figures": board.figures,
        "targets": board.month,
        "metrics": TargetMetric,
        "bar_width": BAR_WIDTH,
        "rate_bars": _rate_bars(board.figures),
        "target_bars": _target_bars(board),
        "deal_bars": _consultant_bars(board, TargetMetric.DEALS),
        "walk_in_bars": _consultant_bars(board, TargetMetric.WALK_INS),
    }


def daily_report_rendered(board: EveningBoard, *, now: dt.datetime | None = None
                          ) -> RenderedPDF:
    return render_pdf(TEMPLATE, daily_report_context(board, now=now))


def daily_report_pdf(board: EveningBoard, *, now: dt.datetime | None = None) -> bytes:
    """The store day's report (A4) in the active language; `now` is the moment its figures
    were taken (printed in the store's time)."""
    return daily_report_rendered(board, now=now).data
