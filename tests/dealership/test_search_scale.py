"""Search that stays an index look-up however many customers a store has: a whole phone is
an equality on the unique (store, phone), the last four digits an equality on the stored
`phone_last4`, a name a trigram index on PostgreSQL; one query per provider; each typed
text read once (digits are never looked for in names)."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.search import search_contracts, search_quotes
from dealership.models import Customer
from dealership.search import SearchQuery, customer_search_q, search_customers, search_stock
from delivery.search import search_plates
from leads.models import Lead
from leads.search import search_leads
from showroom.selectors.visits import customers_for_desk_search
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="query plans are PostgreSQL's")


def _titles(group) -> list[str]:
    return [hit.title for hit in group.hits]


# --- The stored last four digits ------------------------------------------------------------
def test_phone_last4_is_the_phones_last_four_digits_and_follows_it(customer):
    Customer.objects.filter(pk=customer.pk).update(phone="+8613900001111")

    stored = Customer.objects.values_list("phone_last4", flat=True).get(pk=customer.pk)

    assert stored == "1111"


# --- Reading the text once ------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("13812345678", {"phone": "+8613812345678"}),
    ("138 1234 5678", {"phone": "+8613812345678"}),
    ("+86 138-1234-5678", {"phone": "+8613812345678"}),
    ("(0086) 138 1234 5678", {"phone": "+8613812345678"}),
    ("5678", {"phone_suffix": "5678"}),
    ("2345678", {"phone_suffix": "2345678"}),  # seven digits that are no whole number
    ("张伟", {"name": "张伟"}),
])
def test_query_parse_reads_a_phone_or_its_tail_or_a_name(raw, expected):
    query = SearchQuery.parse(raw)

    parts = {key: value for key, value in (("name", query.name), ("phone", query.phone),
                                           ("phone_suffix", query.phone_suffix)) if value}
    assert parts == expected


def test_list_search_reads_digits_as_a_phone_never_as_a_name():
    by_phone = customer_search_q("138 1234 5678")
    by_tail = customer_search_q("5678")

    assert (str(by_phone), str(by_tail)) == (
        "(AND: ('phone', '+8613812345678'))", "(AND: ('phone_last4', '5678'))")
    assert customer_search_q("   ") is None


# --- What the customers provider finds ------------------------------------------------------
@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678",
                                   "008613812345678", "5678", "345678"])
def test_customer_search_finds_by_whole_phone_in_any_format_or_its_tail(manager, customer,
                                                                        typed):
    CustomerFactory(store=customer.store, name="李四", phone="+8613900001111")
    CustomerFactory(store=customer.store, name="王五", phone="+8613900005670")

    group = search_customers(manager, SearchQuery.parse(typed))

    assert _titles(group) == ["张三丰"]


@pytest.mark.parametrize(("typed", "found"), [
    ("欧阳小", ["欧阳小明"]),     # three characters anywhere: the trigram index
    ("阳小明", ["欧阳小明"]),
    ("张伟", ["张伟", "张伟明"]),  # two characters: the name starts ...
    ("小明", ["欧阳小明"]),        # ... or ends with them
    ("wei", ["Zhang Wei"]),
    ("ZHANG w", ["Zhang Wei"]),
])
def test_customer_search_finds_by_part_of_the_name(store, manager, typed, found):
    for name in ("欧阳小明", "张伟", "张伟明", "李芳", "Zhang Wei"):
        CustomerFactory(store=store, name=name)

    group = search_customers(manager, SearchQuery.parse(typed))

    assert _titles(group) == found


def test_customer_search_finds_nothing_for_an_unknown_phone_or_name(manager, customer):
    assert _titles(search_customers(manager, SearchQuery.parse("13900009999"))) == []
    assert _titles(search_customers(manager, SearchQuery.parse("9999"))) == []
    assert _titles(search_customers(manager, SearchQuery.parse("没有这人"))) == []


def test_customer_search_never_finds_another_stores_customer(manager, customer, other_store,
                                                             outsider):
    # The same number may be a customer of each store: the other store's stays unseen.
    CustomerFactory(store=other_store, owner=outsider, name="外店张三丰",
                    phone="+8613812345678")

    found = [_titles(search_customers(manager, SearchQuery.parse(typed)))
             for typed in ("13812345678", "5678", "张三丰")]

    assert found == [["张三丰"], ["张三丰"], ["张三丰"]]


def test_customer_search_finds_only_a_consultants_own_customers(consultant, teammate, customer):
    CustomerFactory(store=customer.store, owner=teammate, name="张三", phone="+8613900005678")

    group = search_customers(consultant, SearchQuery.parse("5678"))

    assert _titles(group) == ["张三丰"]
    assert [hit.detail.split(" · ")[0] for hit in group.hits] == ["138****5678"]


def test_lead_search_by_phone_stays_in_the_store(manager, customer, other_store, outsider):
    lead = LeadFactory(store=customer.store, customer=customer, owner=customer.owner)
    stranger = CustomerFactory(store=other_store, owner=outsider, phone="+8613812345678")
    LeadFactory(store=other_store, customer=stranger, owner=outsider)

    found = [_titles(search_leads(manager, SearchQuery.parse(typed)))
             for typed in ("138 1234 5678", "5678", "张三丰")]

    assert found == [[f"张三丰 #{lead.pk}"]] * 3


def test_desk_search_finds_by_whole_phone_too(store, customer):
    CustomerFactory(store=store, name="李四", phone="+8613900001111")

    found = [[c.name for c in customers_for_desk_search(store=store, query=typed)]
             for typed in ("138-1234-5678", "5678", "三丰")]

    assert found == [["张三丰"], ["张三丰"], ["张三丰"]]


# --- One query per provider, at 1 and at 3 rows ---------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("typed", ["张伟", "1234", "13900001234"])
def test_customer_and_lead_search_is_one_query(store, manager, count, typed,
                                               django_assert_num_queries):
    for n in range(count):
        customer = CustomerFactory(store=store, name=f"张伟{n}", phone=f"+86139{n:04d}1234")
        LeadFactory(store=store, customer=customer)
    query = SearchQuery.parse(typed)
    expected = count if query.phone_suffix or query.name else 1

    with django_assert_num_queries(1):
        customers = search_customers(manager, query)
    with django_assert_num_queries(1):
        leads = search_leads(manager, query)

    assert (len(customers.hits), len(leads.hits)) == (expected, expected)


@pytest.mark.parametrize(("provider", "typed"), [
    (search_quotes, "张伟"), (search_contracts, "张伟"), (search_plates, "粤B12345"),
    (search_stock, "LVGAB12C3456")])
def test_the_other_providers_are_one_query(manager, provider, typed,
                                           django_assert_num_queries):
    with django_assert_num_queries(1):
        provider(manager, SearchQuery.parse(typed))


@pytest.mark.parametrize("count", [1, 3])
def test_desk_search_is_one_query(store, count, django_assert_num_queries):
    for n in range(count):
        CustomerFactory(store=store, name=f"张伟{n}", phone=f"+86139{n:04d}1234")

    with django_assert_num_queries(1):
        found = customers_for_desk_search(store=store, query="1234")

    assert len(found) == count


# --- The plans on PostgreSQL ----------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
         "鹏飞宇浩然晨阳子涵欣怡梓轩雨佳俊博文嘉思睿泽琳瑞诗天昊晓雪")
CROWD = 6000


@pytest.fixture
def crowded_store(store, consultant, manager):
    """Thousands of customers in the store, each with a lead, statistics gathered."""
    rng = random.Random(15)
    customers = Customer.objects.bulk_create(
        Customer(store=store, owner=consultant, phone=f"+86139{n:08d}",
                 name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))))
        for n in range(CROWD))
    Lead.objects.bulk_create(
        LeadFactory.build(store=store, customer=customer, owner=consultant)
        for customer in customers)
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list until (auto)vacuum merges them;
        # the planner prices that list, so merge it as autovacuum would have by now.
        cursor.execute("SELECT gin_clean_pending_list('customer_name_trgm_idx'::regclass)")
        cursor.execute("ANALYZE dealership_customer")
        cursor.execute("ANALYZE leads_lead")
    return store


def _plan(search, user, typed: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        search(user, SearchQuery.parse(typed))
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
@pytest.mark.parametrize(("typed", "index"), [
    ("139 0000 1234", "customer_phone_unique_per_store"),
    ("1234", "customer_phone_last4_idx"),
    ("王伟芳", "customer_name_trgm_idx"),
    ("王伟", "customer_name_trgm_idx"),
])
@pytest.mark.parametrize("search", [search_customers, search_leads])
def test_search_plan_reads_an_index_not_every_customer(crowded_store, manager, search, typed,
                                                       index):
    plan = _plan(search, manager, typed)

    assert index in plan, plan
    assert "Seq Scan on dealership_customer" not in plan, plan
