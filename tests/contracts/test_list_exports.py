"""CSV exports of the contract and quote lists (issue 14, item 10): the list's roles, scope
and filters, streamed with a BOM, formula-safe cells, a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from contracts.enums import ContractStatus
from dealership.enums import Role
from tests.contracts.factories import make_contract, make_quote
from tests.factories import CustomerFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

CONTRACTS = "/contracts/export/"
QUOTES = "/contracts/quotes/export/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- Contracts ----------------------------------------------------------------------------
def test_contract_export_header_and_row(client, consultant, customer, manager):
    contract = make_contract(consultant, customer, manager=manager)
    client.force_login(english(manager))

    response = client.get(CONTRACTS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contracts-')
    rows = read_csv(response)
    assert rows[0] == ["Contract", "Buyer", "Vehicle", "Colour", "Total (CNY)", "State",
                       "Consultant", "Signed at", "Promised delivery"]
    promised = contract.store.today() + dt.timedelta(days=14)
    assert rows[1:] == [[f"Draft #{contract.pk}", "张三丰", contract.vehicle_description,
                         contract.colour_name, str(contract.total_price), "Draft", "王芳", "",
                         promised.isoformat()]]


def test_contract_export_neutralises_formulas(client, consultant, store, manager):
    buyer = CustomerFactory(store=store, owner=consultant, name="=cmd|' /C calc'!A0")
    make_contract(consultant, buyer, manager=manager)
    client.force_login(manager)

    rows = read_csv(client.get(CONTRACTS))

    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_contract_export_follows_the_filters(client, consultant, customer, manager, store):
    signed = make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)
    make_contract(consultant, CustomerFactory(store=store, owner=consultant, name="李四"),
                  manager=manager)
    client.force_login(manager)

    rows = read_csv(client.get(CONTRACTS, {"status": "signed"}))

    assert [row[0] for row in rows[1:]] == [signed.number]


def test_contract_export_keeps_the_consultant_to_their_customers(client, consultant, teammate,
                                                                customer, manager, store):
    make_contract(consultant, customer, manager=manager)
    theirs = CustomerFactory(store=store, owner=teammate, name="李四")
    make_contract(teammate, theirs, manager=manager)
    client.force_login(teammate)

    rows = read_csv(client.get(CONTRACTS))

    assert [row[1] for row in rows[1:]] == ["李四"]


def test_contract_export_is_empty_for_another_store(client, outsider, consultant, customer,
                                                    manager):
    make_contract(consultant, customer, manager=manager)
    client.force_login(outsider)

    rows = read_csv(client.get(CONTRACTS))

    assert len(rows) == 1  # the header only


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.MARKETING])
def test_contract_export_is_forbidden_outside_the_list_roles(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(CONTRACTS).status_code == 403


def test_contract_export_with_a_bad_filter_is_400(client, manager):
    client.force_login(manager)

    response = client.get(CONTRACTS, {"status": "nonsense"})

    assert response.status_code == 400
    assert not getattr(response, "streaming", False)


@pytest.mark.parametrize("count", [1, 3])
def test_contract_export_query_count_is_constant(client, consultant, manager, store, count,
                                                 django_assert_num_queries):
    for number in range(count):
        make_contract(consultant, CustomerFactory(store=store, owner=consultant,
                                                  name=f"客户{number}"), manager=manager)
    client.force_login(manager)

    # session, user, store (time zone); the rows (consultant joined)
    with django_assert_num_queries(4):
        rows = read_csv(client.get(CONTRACTS))

    assert len(rows) == count + 1


def test_contract_list_links_to_the_export_with_its_filters(client, consultant, customer,
                                                            manager):
    make_contract(consultant, customer, manager=manager)
    client.force_login(manager)

    html = client.get("/contracts/", {"status": "draft"}).content.decode()

    assert 'href="/contracts/export/?status=draft"' in html


# --- Quotes -------------------------------------------------------------------------------
def test_quote_export_header_and_row(client, consultant, customer, manager):
    quote = make_quote(consultant, customer)
    version = quote.current_version
    client.force_login(english(manager))

    response = client.get(QUOTES)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="quotes-')
    rows = read_csv(response)
    assert rows[0] == ["Quote", "Version", "Customer", "Car", "Colour",
                       "Out-the-door price (CNY)", "Status", "Approval needed", "Consultant",
                       "Updated"]
    assert rows[1][:4] == [quote.number, "1", "张三丰", str(version.trim)]
    assert rows[1][5] == str(version.out_the_door)
    assert rows[1][8] == "王芳"


def test_quote_export_neutralises_formulas_and_follows_the_filters(client, consultant,
                                                                   teammate, store, manager):
    make_quote(consultant, CustomerFactory(store=store, owner=consultant, name="@SUM(A1)"))
    make_quote(teammate, CustomerFactory(store=store, owner=teammate, name="李四"))
    client.force_login(manager)

    rows = read_csv(client.get(QUOTES, {"consultant": consultant.pk}))

    assert [row[2] for row in rows[1:]] == ["'@SUM(A1)"]


def test_quote_export_is_forbidden_to_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get(QUOTES).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_quote_export_query_count_is_constant(client, consultant, manager, store, count,
                                              django_assert_num_queries):
    for number in range(count):
        make_quote(consultant, CustomerFactory(store=store, owner=consultant,
                                               name=f"客户{number}"))
    client.force_login(manager)

    # session, user, store (time zone), the filter's consultants; the rows (joined)
    with django_assert_num_queries(4):
        rows = read_csv(client.get(QUOTES))

    assert len(rows) == count + 1
