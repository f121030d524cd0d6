"""The contract and quote lists at scale (issue 15 §1): the page's ids come first, off an
index that leads with the store and follows the list's order (the scope through the
customer is also said of the row's own store); the query count is fixed whatever the rows
and the page size; past 1,000 the count is bounded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract, Quote
from contracts.selectors.contracts import contract_list_for_user
from contracts.selectors.quotes import quote_list_for_user
from dealership.enums import Role
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="query plans are PostgreSQL's")

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def copies(instance, count: int) -> list[dict]:
    """The concrete column values of `instance`, `count` times, without the pk."""
    fields = [field for field in type(instance)._meta.concrete_fields
              if not field.primary_key and not getattr(field, "generated", False)]
    return [{field.attname: getattr(instance, field.attname) for field in fields}
            for _n in range(count)]


def plant(consultant, customer, manager, count: int, *, customers=()) -> None:
    """`count` draft contracts (each with its own quote) of the customer (or spread over
    `customers`), bulk-inserted after one drafted through the services."""
    contract = make_contract(consultant, customer, manager=manager)
    owners = [other.pk for other in customers] or [customer.pk]
    quotes = []
    for n, values in enumerate(copies(contract.quote, count - 1)):
        values.update(customer_id=owners[n % len(owners)],
                      updated_at=T0 - dt.timedelta(minutes=n % 40))
        quotes.append(Quote(**values))
    Quote.objects.bulk_create(quotes)
    contracts = []
    for n, (values, quote) in enumerate(zip(copies(contract, count - 1), quotes, strict=True)):
        values.update(quote_id=quote.pk, customer_id=quote.customer_id,
                      created_at=T0 - dt.timedelta(minutes=n % 40))
        contracts.append(Contract(**values))
    Contract.objects.bulk_create(contracts)


def shown(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


# --- Query counts -----------------------------------------------------------------------
@pytest.mark.parametrize("per_page", [25, 100])
@pytest.mark.parametrize("count", [1, 3, 30])
def test_contract_list_query_count_is_fixed(client, consultant, customer, manager, count,
                                            per_page, django_assert_num_queries):
    plant(consultant, customer, manager, count)
    client.force_login(manager)

    # session, user, store; the page's ids (and the bounded count); its rows; the
    # consultant filter's choices
    with django_assert_num_queries(6):
        response = client.get("/contracts/", {"per_page": per_page})

    assert len(shown(response)) == min(count, per_page)


@pytest.mark.parametrize("per_page", [25, 100])
@pytest.mark.parametrize("count", [1, 3, 30])
def test_quote_list_query_count_is_fixed(client, consultant, customer, manager, count,
                                         per_page, django_assert_num_queries):
    plant(consultant, customer, manager, count)
    client.force_login(manager)

    with django_assert_num_queries(6):
        response = client.get("/contracts/quotes/", {"per_page": per_page})

    assert len(shown(response)) == min(count, per_page)


# --- Order, scope, pages ----------------------------------------------------------------
def test_contract_list_pages_in_order_and_keeps_to_the_store(client, consultant, customer,
                                                              manager):
    plant(consultant, customer, manager, 30)
    elsewhere = StoreFactory(code="FAR")
    far = UserFactory(role=Role.CONSULTANT, store=elsewhere)
    far_customer = CustomerFactory(store=elsewhere, owner=far)
    make_contract(far, far_customer, manager=UserFactory(role=Role.MANAGER, store=elsewhere))
    expected = list(Contract.objects.filter(store=manager.store)
                    .order_by("-created_at", "-id").values_list("pk", flat=True))
    client.force_login(english(manager))

    first = client.get("/contracts/")
    second = client.get("/contracts/", {"page": 2})

    assert shown(first) + shown(second) == expected
    assert "30 contracts" in first.content.decode()
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_contract_list_past_the_bound_says_1000_plus(client, consultant, customer, manager):
    plant(consultant, customer, manager, 1002)
    client.force_login(english(manager))

    response = client.get("/contracts/", {"page": 10, "per_page": 100})

    html = response.content.decode()
    assert "1,000+ contracts" in html
    assert "Page 10 of" not in html
    assert response.context["page"].next_cursor


def test_own_store_filter_changes_no_answer(consultant, teammate, customer, manager,
                                            supervisor):
    plant(consultant, customer, manager, 3)
    make_contract(teammate, CustomerFactory(store=customer.store, owner=teammate),
                  manager=manager)

    for user in (consultant, supervisor, manager):
        _filterset, contracts = contract_list_for_user(user=user, params={})
        _filterset, quotes = quote_list_for_user(user=user, params={})
        scope = {"customer__store": user.store}
        if user.role == Role.CONSULTANT:
            scope["customer__owner"] = user
        assert set(contracts) == set(Contract.objects.filter(**scope))
        assert set(quotes) == set(Quote.objects.filter(**scope))


# --- Plans on PostgreSQL ----------------------------------------------------------------
def plans_of(client, user, url: str) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    table = "contracts_quote" if "quotes" in url else "contracts_contract"
    statements = [q["sql"] for q in queries.captured_queries
                  if q["sql"].startswith(f'SELECT "{table}"."id"')]
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.fixture
def history(store, consultant, customer, manager):
    """2,000 contracts and quotes over 40 customers of a store of 400; statistics gathered."""
    customers = [customer] + [CustomerFactory(store=store, owner=consultant)
                              for _n in range(39)]
    CustomerFactory.create_batch(360, store=store)
    plant(consultant, customer, manager, 2000, customers=customers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dealership_customer")
        cursor.execute("ANALYZE contracts_contract")
        cursor.execute("ANALYZE contracts_quote")


@on_postgresql
@pytest.mark.parametrize(("url", "index"), [("/contracts/", "contract_list_idx"),
                                            ("/contracts/quotes/", "quote_list_idx")])
def test_manager_list_walks_its_index(client, history, manager, url, index):
    (ids_plan, _rows_plan) = plans_of(client, manager, url)

    assert index in ids_plan, ids_plan
    assert "Sort" not in ids_plan, ids_plan
