"""Fast inserts for the large demo: rows as tuples, written with `COPY` on PostgreSQL
(psycopg 3 `cursor.copy`) and `executemany` on SQLite, with ids given by the writer so
that the rows pointing at them need no read back. Memory stays bounded: a writer holds at
most one batch of tuples.

Only the demo uses this: it bypasses `save()`, signals and the models' validation, so
every value a model would compute (a normalised phone, a generated column) is the
caller's job; generated columns are left to the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 20_000


def _sqlite_converter(field: models.Field) -> Callable | None:
    kind = field.get_internal_type()
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    if kind == "DateTimeField":
        return lambda value: (value.astimezone(dt.UTC).replace(tzinfo=None)
                              .isoformat(" ") if value.tzinfo else value.isoformat(" "))
    if kind in ("DateField", "TimeField"):
        return lambda value: value.isoformat()
    if kind == "DecimalField":
        return lambda value: str(Decimal(value))
    if kind == "BooleanField":
        return int
    return None


def _postgres_converter(field: models.Field) -> Callable | None:
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return None


class TableWriter:
    """Rows of one model: `add(**values)` (attribute names, e.g. `lead_id`) returns the
    row's id; columns not given take the field's default."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.postgres = connection.vendor == "postgresql"
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.columns = [f.attname for f in fields]
        convert = _postgres_converter if self.postgres else _sqlite_converter
        self.converters = [convert(f) for f in fields]
        self.defaults = {}
        for field in fields:
            if field.primary_key:
                continue
            self.defaults[field.attname] = field.get_default()
        self.pk_name = model._meta.pk.attname
        quote = connection.ops.quote_name
        top = f"SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}"  # noqa: S608 - names from the model
        with connection.cursor() as cursor:
            cursor.execute(top)
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, **values) -> int:
        pk = self.next_id
        self.next_id += 1
        values[self.pk_name] = pk
        defaults = self.defaults
        row = []
        for column, converter in zip(self.columns, self.converters, strict=True):
            value = values[column] if column in values else defaults[column]
            if converter is not None and value is not None:
                value = converter(value)
            row.append(value)
        self.rows.append(tuple(row))
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(
            self.model._meta.get_field(c).column) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, self.rows)
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> int:
        """Write what is left and move the table's id sequence past the ids given."""
        self.flush()
        reset_sequences([self.model])
        return self.written


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyze() -> None:
    """Fresh planner statistics after millions of rows (both backends)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def stream(queryset, *fields: str, size: int = 10_000):
    """`values_list(*fields)` of a queryset in pk order, a chunk at a time (the first
    field must be the pk)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*fields)[:size])
        if not chunk:
            return
        last = chunk[-1][0]
        yield from chunk
