"""Pagination for the big lists, whose cost follows the page and not the store's history.

- The page's ids come first, from a narrow query on the list's indexed sort (no joins, no
  wide rows); then those rows alone are loaded with their joins and put back in order.
- The count is bounded: COUNT(*) over the list's ids with LIMIT 1001, carried as a column
  of the ids query (one round trip; an uncorrelated subquery, evaluated once). Past the
  bound the list says "1,000+" and has no page total and no last page.
- Past the bounded range (and whenever the URL carries `?after=`) the next page is found by
  keyset: an opaque cursor holds the last row's sort key (every `order_by` field, the pk
  last), and the next page is the rows strictly after it in the sort, NULLs where the
  ordering puts them. A cursor that does not decode gives the first page, never an error.

`?page=N` keeps working: an OFFSET over the narrow ids (the rows are joined for the page
only); the links only number the pages inside the bound.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Field, IntegerField, Model, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

BOUND = 1000
PAGE_SIZES = (25, 100)
MAX_CURSOR_LENGTH = 512
MAX_PAGE = 1_000_000


class BadCursor(ValueError):
    """The `after` parameter is not a cursor of this list."""


def bounded_count_label(count: int, bound: int) -> str:
    """A count read to `bound` + 1 rows at most: "1,000+" past the bound, else the count."""
    if count > bound:
        return _("%(count)s+") % {"count": number_format(bound, force_grouping=True)}
    return number_format(count, force_grouping=True)


@dataclass(frozen=True)
class SortKey:
    """One `order_by` term: the model field, its direction and where its NULLs sort."""

    name: str
    field: Field
    descending: bool
    nulls_last: bool

    @property
    def nullable(self) -> bool:
        return self.field.null


def sort_keys(queryset: QuerySet) -> list[SortKey]:
    """The queryset's ordering as keys. Keyset pagination needs a total order that the
    database and Python agree on, so: local fields only, the pk last, and every nullable
    field with an explicit `nulls_first`/`nulls_last` (the backends' defaults differ)."""
    meta = queryset.model._meta
    terms = queryset.query.order_by or (meta.ordering if queryset.query.default_ordering
                                        else ())
    keys = []
    for term in terms:
        if isinstance(term, str):
            descending, name = term.startswith("-"), term.lstrip("-")
            nulls_last = None
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            descending, name = term.descending, term.expression.name
            nulls_last = True if term.nulls_last else False if term.nulls_first else None
        elif isinstance(term, F):
            descending, name, nulls_last = False, term.name, None
        else:
            raise ValueError(f"Cannot paginate by keyset on {term!r}: order by fields.")
        try:
            model_field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            raise ValueError(f"Cannot paginate by keyset on {name!r}: not a field.") from None
        if model_field.is_relation and not model_field.many_to_one:
            raise ValueError(f"Cannot paginate by keyset on {name!r}: a relation.")
        model_field = getattr(model_field, "output_field", None) or model_field
        if nulls_last is None:
            if model_field.null:
                raise ValueError(f"Order the nullable {name!r} with nulls_first or nulls_last.")
            nulls_last = True
        keys.append(SortKey(name=name, field=model_field, descending=descending,
                            nulls_last=nulls_last))
    if not keys or keys[-1].field is not meta.pk:
        raise ValueError("The ordering must end with the primary key to paginate by keyset.")
    return keys


def _attname(queryset: QuerySet, key: SortKey) -> str:
    if key.name == "pk":
        return queryset.model._meta.pk.attname
    return queryset.model._meta.get_field(key.name).attname


# --- Cursors --------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # to the microsecond: ties are broken by the exact value
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_plain(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    """The sort key values in a cursor, typed by the keys' fields; `BadCursor` otherwise."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor(cursor)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, ValueError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor(cursor)
    typed = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            if not key.nullable:
                raise BadCursor(cursor)
            typed.append(None)
            continue
        if isinstance(value, dict | list):
            raise BadCursor(cursor)
        try:
            value = key.field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            raise BadCursor(cursor) from None
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            raise BadCursor(cursor)
        typed.append(value)
    return typed


def _or(left: Q | None, right: Q | None) -> Q | None:
    if left is None:
        return right
    if right is None:
        return left
    return left | right


def after_condition(keys: list[SortKey], values: list[Any]) -> Q | None:
    """Rows strictly after `values` in the ordering `keys` (None: no row is after).

    (k1 after v1) OR (k1 = v1 AND ((k2 after v2) OR (k2 = v2 AND …))), where "after"
    follows each key's direction, and NULLs come after every value when they sort last
    and before every value when they sort first.
    """
    condition: Q | None = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        if value is None:
            after = None if key.nulls_last else Q(**{f"{key.name}__isnull": False})
            equal = Q(**{f"{key.name}__isnull": True})
        else:
            after = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable and key.nulls_last:
                after |= Q(**{f"{key.name}__isnull": True})
            equal = Q(**{key.name: value})
        condition = _or(after, equal & condition if condition is not None else None)
    first, value = keys[0], values[0]
    if condition is not None and value is not None and not first.nullable:
        # Redundant, but a plain range on the leading key lets the index start there.
        condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
    return condition


# --- Pages ----------------------------------------------------------------------------
@dataclass
class ListPage:
    """One page of a big list, shaped like Django's `Page` for the templates
    (`object_list`, `number`, `has_previous`, `has_next`, `paginator.count`/`num_pages`),
    plus the bounded count and the keyset cursor."""

    object_list: list[Model]
    number: int | None  # None on a keyset page (reached by `?after=`)
    per_page: int
    count: int  # exact when not `is_bounded`, else BOUND + 1
    has_next: bool
    next_cursor: str = ""  # when the next page is reached by keyset
    after: str = ""  # the cursor this page was reached by
    bound: int = BOUND
    keys: list[SortKey] = field(default_factory=list, repr=False)

    @property
    def is_bounded(self) -> bool:
        return self.count > self.bound

    @property
    def count_label(self) -> str:
        """"1,000+" past the bound, else the count."""
        return bounded_count_label(self.count, self.bound)

    @property
    def num_pages(self) -> int | None:
        if self.is_bounded:
            return None
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def paginator(self) -> ListPage:  # the templates ask page.paginator.count / num_pages
        return self

    @property
    def has_previous(self) -> bool:
        return bool(self.number and self.number > 1)

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.has_previous else None

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.has_next and not self.next_cursor else None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next or bool(self.after)

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def page_size(params: Mapping[str, str], sizes: tuple[int, ...] = PAGE_SIZES) -> int:
    try:
        size = int(params.get("per_page") or sizes[0])
    except (TypeError, ValueError):
        return sizes[0]
    return size if size in sizes else sizes[0]


def _page_number(params: Mapping[str, str]) -> int:
    try:
        number = int(params.get("page") or 1)
    except (TypeError, ValueError):
        return 1
    # A page past the end is read as the last one; a number the database cannot take as
    # an OFFSET (bigint) would be an error, so it is clamped before it gets there.
    return min(max(1, number), MAX_PAGE)


def _load(queryset: QuerySet, ids: list) -> list[Model]:
    """The rows of `ids` with the queryset's joins and annotations, in the ids' order."""
    if not ids:
        return []
    position = {pk: index for index, pk in enumerate(ids)}
    rows = list(queryset.filter(pk__in=ids).order_by())
    rows.sort(key=lambda row: position[row.pk])
    return rows


def _bounded_count(queryset: QuerySet, bound: int) -> int:
    # COUNT(*) over (SELECT … LIMIT bound + 1): stops at the bound however long the list.
    return queryset.order_by().values("pk")[:bound + 1].count()


def _ids_and_count(queryset: QuerySet, bound: int, start: int, stop: int, *,
                   after: Q | None = None) -> tuple[list, int | None]:
    """The ids of rows [start, stop) of the sort (after a keyset position if given), each
    carrying the bounded count of the whole list: one round trip, an index walk of `stop`
    entries plus the count's (at most bound + 1); the count is None when there is no id."""
    sql, params = queryset.order_by().values("pk")[:bound + 1].query.sql_with_params()
    # The ORM's own SQL, uncorrelated: evaluated once (an InitPlan on PostgreSQL).
    count = RawSQL(f"SELECT COUNT(*) FROM ({sql}) bounded",  # noqa: S608, S611
                   params, output_field=IntegerField())
    ids = queryset if after is None else queryset.filter(after)
    rows = list(ids.annotate(bounded_count=count)
                .values_list("pk", "bounded_count")[start:stop])
    return [pk for pk, _count in rows], (rows[0][1] if rows else None)


def paginate(queryset: QuerySet, params: Mapping[str, str], *,
             sizes: tuple[int, ...] = PAGE_SIZES, bound: int = BOUND) -> ListPage:
    """The page `params` ask for (`page`, `after`, `per_page`) of an ordered queryset: two
    queries (the page's ids with the bounded count, then its rows), one if it is empty."""
    keys = sort_keys(queryset)
    per_page = page_size(params, sizes)
    after = params.get("after") or ""
    if after:
        try:
            values = decode_cursor(after, keys)
        except BadCursor:
            after = ""
        else:
            condition = after_condition(keys, values)
            ids, count = (_ids_and_count(queryset, bound, 0, per_page + 1, after=condition)
                          if condition is not None else ([], None))
            if ids:
                return _page(queryset, keys, ids, number=None, per_page=per_page,
                             count=count, after=after, bound=bound, next_by_cursor=True)
    number = 1 if after else _page_number(params)
    offset = (number - 1) * per_page
    ids, count = _ids_and_count(queryset, bound, offset, offset + per_page + 1)
    if not ids and number > 1:  # past the end: the last page, as Paginator.get_page
        count = _bounded_count(queryset, bound)
        number = max(1, math.ceil(min(count, bound) / per_page))
        offset = (number - 1) * per_page
        ids, count = _ids_and_count(queryset, bound, offset, offset + per_page + 1)
    # Inside the bound the next page is numbered; the one that would cross it is a keyset
    # page, so no page past the bound is read by OFFSET unless its number is typed in.
    return _page(queryset, keys, ids, number=number, per_page=per_page, count=count or 0,
                 bound=bound, next_by_cursor=offset + 2 * per_page > bound)


def _page(queryset: QuerySet, keys: list[SortKey], ids: list, *, number: int | None,
          per_page: int, count: int, bound: int, next_by_cursor: bool,
          after: str = "") -> ListPage:
    has_next = len(ids) > per_page
    rows = _load(queryset, ids[:per_page])
    cursor = ""
    if has_next and next_by_cursor and rows:  # rows: unless all were deleted meanwhile
        last = rows[-1]
        cursor = encode_cursor([getattr(last, _attname(queryset, key)) for key in keys])
    return ListPage(object_list=rows, number=number, per_page=per_page, count=count,
                    has_next=has_next, next_cursor=cursor, after=after, bound=bound,
                    keys=keys)
