"""dealership.pagination: ids first, a bounded count, keyset pages past the bound."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dealership.models import Customer
from dealership.pagination import ListPage, encode_cursor, paginate, sort_keys
from tests.factories import CustomerFactory, UserFactory

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def customers(store):
    return Customer.objects.filter(store=store).select_related("owner")


def newest_first(store):
    return customers(store).order_by("-created_at", "-id")


def plant(store, count: int) -> list[Customer]:
    return [CustomerFactory(store=store, created_at=T0 + dt.timedelta(minutes=n))
            for n in range(count)]


def walk(queryset, *, size: int, bound: int) -> list[int]:
    """Every pk the list shows, following its "next" links from the first page."""
    seen, params = [], {}
    for _step in range(100):
        page = paginate(queryset, params, sizes=(size,), bound=bound)
        seen += [row.pk for row in page.object_list]
        if not page.has_next:
            return seen
        params = ({"after": page.next_cursor} if page.next_cursor
                  else {"page": str(page.next_page_number)})
    raise AssertionError("the walk did not end")


# --- Ids first ------------------------------------------------------------------------
def test_page_reads_narrow_ids_then_joins_only_the_page(store):
    owner = UserFactory(store=store)
    planted = [CustomerFactory(store=store, owner=owner,
                               created_at=T0 + dt.timedelta(minutes=n)) for n in range(30)]

    with CaptureQueriesContext(connection) as queries:
        page = paginate(newest_first(store), {})
        names = [str(row.owner) for row in page.object_list]

    ids_sql, rows_sql = (query["sql"].upper() for query in queries.captured_queries)
    assert len(queries.captured_queries) == 2
    assert "JOIN" not in ids_sql
    assert "LIMIT 1001" in ids_sql
    assert "JOIN" in rows_sql
    assert " IN (" in rows_sql
    assert [row.pk for row in page.object_list] == [c.pk for c in reversed(planted)][:25]
    assert names == [str(owner)] * 25


def test_empty_list_is_one_query(store, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = paginate(newest_first(store), {})

    assert page.object_list == []
    assert page.count == 0
    assert not page.has_other_pages


# --- Bounded count --------------------------------------------------------------------
def test_count_under_the_bound_is_exact(store):
    plant(store, 8)

    page = paginate(newest_first(store), {"page": "2"}, sizes=(3,), bound=10)

    assert (page.count, page.is_bounded, page.num_pages, page.number) == (8, False, 3, 2)
    assert page.has_previous
    assert page.next_page_number == 3
    assert page.next_cursor == ""


def test_count_past_the_bound_is_bound_plus_without_last_page(store, in_english):
    plant(store, 12)

    page = paginate(newest_first(store), {}, sizes=(5,), bound=10)

    assert page.is_bounded
    assert page.count_label == "10+"
    assert page.num_pages is None
    assert page.next_page_number == 2


def test_count_label_groups_thousands_in_english():
    page = ListPage(object_list=[], number=1, per_page=25, count=1001, has_next=True)

    with translation.override("en"):
        assert page.count_label == "1,000+"


def test_last_page_of_the_bound_links_next_by_cursor(store):
    planted = plant(store, 12)

    page = paginate(newest_first(store), {"page": "2"}, sizes=(5,), bound=10)

    assert [row.pk for row in page.object_list] == [c.pk for c in reversed(planted)][5:10]
    assert page.has_next
    assert page.next_page_number is None
    assert page.next_cursor


# --- Keyset ---------------------------------------------------------------------------
def test_walk_past_the_bound_shows_every_row_once_in_order(store):
    plant(store, 23)
    expected = list(newest_first(store).values_list("pk", flat=True))

    assert walk(newest_first(store), size=4, bound=8) == expected


@pytest.mark.parametrize("ordering", [
    (F("consent_at").asc(nulls_last=True), "-created_at", "-id"),
    (F("consent_at").desc(nulls_first=True), "created_at", "id"),
    (F("consent_at").asc(nulls_first=True), "-created_at", "id"),
    (F("consent_at").desc(nulls_last=True), "created_at", "-id"),
])
def test_keyset_handles_ties_and_nulls(store, ordering):
    # Three consent times, two of them shared, NULLs among them; created_at ties too.
    consents = [None, T0, T0 + dt.timedelta(days=1), None, T0, None, T0, T0]
    for n, consent in enumerate(consents * 2):
        CustomerFactory(store=store, consent_at=consent,
                        created_at=T0 + dt.timedelta(minutes=n % 3))
    queryset = customers(store).order_by(*ordering)
    expected = list(queryset.values_list("pk", flat=True))

    assert walk(queryset, size=3, bound=3) == expected
    assert walk(queryset, size=1, bound=1) == expected


def test_after_on_the_first_page_is_a_keyset_page(store):
    planted = plant(store, 6)
    newest = list(reversed(planted))
    cursor = encode_cursor([newest[1].created_at, newest[1].pk])

    page = paginate(newest_first(store), {"after": cursor}, sizes=(2,))

    assert [row.pk for row in page.object_list] == [newest[2].pk, newest[3].pk]
    assert page.number is None
    assert page.after == cursor
    assert page.has_other_pages
    assert page.count == 6


def test_hand_typed_page_past_the_bound_is_served(store):
    planted = plant(store, 12)

    page = paginate(newest_first(store), {"page": "5"}, sizes=(2,), bound=4)

    assert [row.pk for row in page.object_list] == [c.pk for c in reversed(planted)][8:10]
    assert page.is_bounded
    assert page.next_cursor


def naive_cursor() -> str:
    raw = json.dumps(["2026-03-01T09:00:00", 1]).encode()
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("cursor", [
    "!!!", "W10", "e30", "WyJ4IiwgMV0",  # junk, [], {}, ["x", 1]
    base64.urlsafe_b64encode(b'["2026-03-01T09:00:00+00:00", "one"]').decode(),
    base64.urlsafe_b64encode(b'[null, 1]').decode(),  # created_at is not nullable
    base64.urlsafe_b64encode(b'[[1], 1]').decode(),
    "A" * 600,
])
def test_bad_cursor_gives_the_first_page(store, cursor):
    planted = plant(store, 3)

    page = paginate(newest_first(store), {"after": cursor})

    assert page.number == 1
    assert page.after == ""
    assert [row.pk for row in page.object_list] == [c.pk for c in reversed(planted)]


def test_naive_datetime_cursor_gives_the_first_page(store):
    plant(store, 2)

    page = paginate(newest_first(store), {"after": naive_cursor()})

    assert (page.number, page.after) == (1, "")


def test_cursor_past_the_end_gives_the_first_page(store):
    planted = plant(store, 2)
    cursor = encode_cursor([planted[0].created_at, planted[0].pk])

    page = paginate(newest_first(store), {"after": cursor})

    assert page.number == 1
    assert len(page.object_list) == 2


# --- Parameters -----------------------------------------------------------------------
@pytest.mark.parametrize(("params", "number"), [
    ({"page": "abc"}, 1), ({"page": "-3"}, 1), ({"page": "99"}, 2), ({}, 1),
    ({"page": "1" + "0" * 30}, 2), ({"page": "1.5"}, 1),
])
def test_page_numbers_out_of_range_are_clamped(store, params, number):
    plant(store, 30)

    page = paginate(newest_first(store), params)

    assert page.number == number


@pytest.mark.parametrize(("per_page", "size"), [("100", 100), ("25", 25), ("50", 25),
                                                ("x", 25), ("", 25)])
def test_per_page_allows_25_and_100(store, per_page, size):
    plant(store, 2)

    assert paginate(newest_first(store), {"per_page": per_page}).per_page == size


@pytest.mark.parametrize("ordering", [("-consent_at", "-id"), ("-created_at",),
                                      ("owner__name", "id")])
def test_orderings_that_cannot_be_keyed_are_refused(store, ordering):
    with pytest.raises(ValueError):
        sort_keys(customers(store).order_by(*ordering))


def test_unordered_queryset_is_refused(store):
    with pytest.raises(ValueError, match="primary key"):
        sort_keys(customers(store).order_by())


def test_default_ordering_is_the_models(store):
    keys = sort_keys(customers(store))

    assert [(key.name, key.descending) for key in keys] == [("created_at", True),
                                                            ("id", True)]


def test_sort_keys_read_the_field_of_a_generated_column(store):
    keys = sort_keys(customers(store).order_by("phone_last4", "-id"))

    assert [(key.name, key.descending) for key in keys] == [("phone_last4", False),
                                                            ("id", True)]
