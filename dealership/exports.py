"""CSV exports of the lists managers and finance work from (contracts, quotes, customers,
stock, payments), in the shape of the lead export: streamed, a UTF-8 BOM so Excel reads the
Chinese text, every cell through `spreadsheet_cell` so nothing typed runs as a formula.

A view builds the header and the labels while its request's language is active (the rows
are written after it returns), then hands rows to `csv_response`. The rows come from the
list's own selector, read with `.iterator(chunk_size=…)`: one query per chunk, not per row.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse

from dealership.text import spreadsheet_cell

CHUNK_SIZE = 2000


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream with."""

    def write(self, value: str) -> str:
        return value


def _lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([spreadsheet_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([spreadsheet_cell(cell) for cell in row])


def csv_response(*, header: Sequence[str], rows: Iterable[Sequence[object]],
                 filename: str) -> StreamingHttpResponse:
    """A streamed CSV download named `filename` (ASCII, without the extension)."""
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_stamp(value: dt.datetime | None, tz: ZoneInfo) -> str:
    """A moment as the store's local "YYYY-MM-DD HH:MM"; "" for none."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
