"""The header's search box: how a typed text is read, what each kind finds, within the
user's scope (store; a consultant's own customers), masked, in a fixed number of queries."""

from __future__ import annotations

import pytest

from contracts.enums import ContractStatus
from dealership.enums import Role
from dealership.search import GROUP_SIZE, SearchQuery
from delivery.models import Handover
from leads.enums import LeadStatus
from tests.contracts.factories import make_contract, make_quote
from tests.factories import CustomerFactory, StockVehicleFactory, StoreFactory
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _groups(response) -> dict[str, list[str]]:
    """{kind: [hit titles]} of a results page."""
    return {group.kind: [hit.title for hit in group.hits]
            for group in response.context["groups"]}


# --- Reading the query (no database) --------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("5678", {"phone_suffix": "5678"}),
    ("138 1234 5678", {"phone": "+8613812345678"}),
    ("13812345678", {"phone": "+8613812345678"}),
    ("345678", {"phone_suffix": "345678", "vin": "345678"}),
    ("lvgab12c3456", {"vin": "LVGAB12C3456", "name": "lvgab12c3456"}),
    ("粤B·12345", {"plate": "粤B12345"}),
    ("沪AD12345", {"plate": "沪AD12345"}),
    ("q000042", {"quote_id": 42}),
    ("DEMO-2026-000001", {"contract_number": "DEMO-2026-000001", "name": "DEMO-2026-000001"}),
    ("2026-000001", {"contract_number": "2026-000001"}),
    ("张三", {"name": "张三"}),
    ("Zhang Wei", {"name": "Zhang Wei"}),
])
def test_query_parse_reads_each_kind(raw, expected):
    query = SearchQuery.parse(raw)

    parts = {key: value for key, value in (
        ("name", query.name), ("phone", query.phone), ("phone_suffix", query.phone_suffix),
        ("vin", query.vin), ("plate", query.plate), ("quote_id", query.quote_id),
        ("contract_number", query.contract_number)) if value}
    assert parts == expected
    assert query.error == ""


def test_query_parse_refuses_one_character_and_over_64():
    assert SearchQuery.parse("a").error != ""
    assert SearchQuery.parse("x" * 65).error != ""
    assert SearchQuery.parse("x" * 64).error == ""
    assert SearchQuery.parse("   ").is_searchable is False


# --- Customers and leads by phone and name --------------------------------------------------
def test_search_phone_tail_finds_own_customer_and_lead_masked(client, consultant, customer):
    lead = LeadFactory(store=customer.store, customer=customer, owner=consultant)
    client.force_login(consultant)

    response = client.get("/search/", {"q": "5678"})

    page = response.content.decode()
    assert response.status_code == 200
    assert _groups(response) == {"customers": ["张三丰"], "leads": [f"张三丰 #{lead.pk}"]}
    assert "138****5678" in page
    assert "13812345678" not in page and "1234 5678" not in page
    assert f'href="/leads/{lead.pk}/"' in page
    assert f'href="/customers/{customer.pk}/"' in page


def test_search_full_phone_in_any_format_finds_the_customer(client, consultant, customer):
    CustomerFactory(store=customer.store, owner=consultant, phone="+8613900005678")
    client.force_login(consultant)

    response = client.get("/search/", {"q": "138-1234-5678"})

    assert _groups(response) == {"customers": ["张三丰"]}


def test_search_consultant_never_sees_a_teammates_or_other_stores_customer(
        client, consultant, teammate, customer, outsider):
    CustomerFactory(store=customer.store, owner=teammate, name="张三", phone="+8613700005678")
    CustomerFactory(store=outsider.store, owner=outsider, name="张三", phone="+8613600005678")
    client.force_login(consultant)

    response = client.get("/search/", {"q": "张三"})

    assert _groups(response) == {"customers": ["张三丰"]}


def test_search_supervisor_sees_the_teams_customers_not_other_stores(
        client, supervisor, consultant, teammate, customer, outsider):
    CustomerFactory(store=customer.store, owner=teammate, name="张三", phone="+8613700005678")
    CustomerFactory(store=outsider.store, owner=outsider, name="张三", phone="+8613600005678")
    client.force_login(supervisor)

    response = client.get("/search/", {"q": "5678"})

    assert _groups(response)["customers"] == ["张三", "张三丰"]


def test_search_customer_care_finds_customers_only(client, make_user, customer, consultant):
    LeadFactory(store=customer.store, customer=customer, owner=consultant)
    client.force_login(make_user(Role.CUSTOMER_CARE))

    response = client.get("/search/", {"q": "张三丰"})

    assert _groups(response) == {"customers": ["张三丰"]}
    assert "138****5678" in response.content.decode()


def test_search_marketing_finds_leads_with_masked_phones(client, make_user, customer,
                                                        consultant):
    lead = LeadFactory(store=customer.store, customer=customer, owner=consultant)
    client.force_login(make_user(Role.MARKETING))

    response = client.get("/search/", {"q": "13812345678"})

    page = response.content.decode()
    assert _groups(response) == {"customers": ["张三丰"], "leads": [f"张三丰 #{lead.pk}"]}
    assert page.count("138****5678") == 2


def test_search_admin_finds_customers_of_every_store(client, make_user, customer, outsider):
    CustomerFactory(store=outsider.store, owner=outsider, name="张三", phone="+8613600005678")
    client.force_login(make_user(Role.ADMIN))

    response = client.get("/search/", {"q": "张三"})

    assert _groups(response)["customers"] == ["张三", "张三丰"]


def test_search_group_is_capped_with_a_see_all_link(client, consultant, store):
    for n in range(GROUP_SIZE + 1):
        CustomerFactory(store=store, owner=consultant, name=f"李明{n}", phone=f"+861380000{n}999")
    client.force_login(english(consultant))

    response = client.get("/search/", {"q": "李明"})

    group = response.context["groups"][0]
    assert (group.kind, len(group.hits), group.more) == ("customers", GROUP_SIZE, True)
    assert group.see_all_url == "/customers/?q=%E6%9D%8E%E6%98%8E"
    assert ('<a href="/customers/?q=%E6%9D%8E%E6%98%8E" class="search-see-all">'
            "See all in Customers</a>") in response.content.decode()


# --- Vehicles, quotes, contracts, plates ------------------------------------------------------
def test_search_vin_whole_or_last_six_finds_own_stores_vehicle(client, consultant, store):
    own = StockVehicleFactory(store=store)
    other = StockVehicleFactory(store=StoreFactory(code="ELSE"))
    client.force_login(consultant)

    whole = client.get("/search/", {"q": own.vin.lower()})
    tail = client.get("/search/", {"q": own.vin[-6:]})
    foreign = client.get("/search/", {"q": other.vin})

    assert _groups(whole)["stock"] == [own.vin]
    assert _groups(tail)["stock"] == [own.vin]
    assert "stock" not in _groups(foreign)


def test_search_quote_number_finds_own_quote_only(client, consultant, teammate, customer):
    quote = make_quote(consultant, customer)
    other_customer = CustomerFactory(store=customer.store, owner=teammate)
    foreign = make_quote(teammate, other_customer)
    client.force_login(consultant)

    mine = client.get("/search/", {"q": quote.number})
    theirs = client.get("/search/", {"q": foreign.number})

    assert _groups(mine) == {"quotes": [quote.number]}
    assert _groups(theirs) == {}


def test_search_contract_number_and_plate_find_the_contract(client, consultant, manager,
                                                            customer):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    Handover.objects.create(store=contract.store, contract=contract, plate_number="粤B12345")
    client.force_login(consultant)

    by_number = client.get("/search/", {"q": contract.number})
    by_tail = client.get("/search/", {"q": contract.number.split("-", 1)[1]})
    by_plate = client.get("/search/", {"q": "粤b 12345"})

    assert _groups(by_number)["contracts"] == [contract.number]
    assert _groups(by_tail) == {"contracts": [contract.number]}
    assert _groups(by_plate) == {"plates": ["粤B12345"]}
    assert f'href="/contracts/{contract.pk}/"' in by_plate.content.decode()


def test_search_plate_of_another_consultants_customer_is_not_found(
        client, consultant, teammate, manager, customer):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    Handover.objects.create(store=contract.store, contract=contract, plate_number="粤B12345")
    client.force_login(teammate)

    response = client.get("/search/", {"q": "粤B12345"})

    assert _groups(response) == {}


# --- Bad input, roles, htmx -------------------------------------------------------------------
@pytest.mark.parametrize(("q", "message"), [
    ("a", "Type at least 2 characters."),
    ("x" * 65, "Type at most 64 characters."),
])
def test_search_too_short_or_too_long_says_so_with_400(client, consultant, q, message):
    client.force_login(english(consultant))

    response = client.get("/search/", {"q": q})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["groups"] == []


def test_search_without_query_shows_the_hint(client, consultant):
    client.force_login(english(consultant))

    response = client.get("/search/")

    assert response.status_code == 200
    assert "Type a name, the last four digits of a phone" in response.content.decode()


def test_search_nothing_found_says_what_to_try(client, consultant):
    client.force_login(english(consultant))

    response = client.get("/search/", {"q": "9999"})

    assert response.status_code == 200
    assert "Nothing found." in response.content.decode()


@pytest.mark.parametrize("role", [Role.GROUP_EXEC, Role.RECEPTIONIST])
def test_search_is_forbidden_to_roles_without_records(client, make_user, role, customer):
    client.force_login(make_user(role))

    response = client.get("/search/", {"q": "5678"})

    assert response.status_code == 403
    assert "张三丰" not in response.content.decode()


def test_search_anonymous_is_sent_to_login(client):
    response = client.get("/search/", {"q": "5678"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_search_htmx_renders_the_results_partial_only(client, consultant, customer):
    client.force_login(consultant)

    response = client.get("/search/", {"q": "5678"}, **HTMX)

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"')
    assert "<h1>" not in page
    assert "HX-Request" in response["Vary"]


def test_search_post_is_not_allowed(client, consultant):
    client.force_login(consultant)

    response = client.post("/search/", {"q": "5678"})

    assert response.status_code == 405


# --- Queries ----------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_search_query_count_is_fixed(client, consultant, store, count,
                                     django_assert_num_queries):
    for n in range(count):
        customer = CustomerFactory(store=store, owner=consultant, phone=f"+86138000{n}5678")
        LeadFactory(store=store, customer=customer, owner=consultant,
                    status=LeadStatus.CONTACTED)
    client.force_login(consultant)

    # session, user, the header's store, customers, leads (a 4-digit tail is no VIN,
    # number or plate: the other providers ask nothing).
    with django_assert_num_queries(5):
        response = client.get("/search/", {"q": "5678"})

    assert [len(group.hits) for group in response.context["groups"]] == [count, count]


# --- The header's box (templates/components/search_box.html) ---------------------------------
def _box(user, *, search_page: bool = False) -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("components/search_box.html",
                            {"user": user, "search_page": search_page}, request=request)


def test_search_box_is_a_plain_get_form_with_live_results(consultant):
    html = _box(consultant)

    assert '<form role="search" method="get" action="/search/"' in html
    assert 'type="search" name="q" enterkeyhint="search" accesskey="k"' in html
    assert 'hx-get="/search/" hx-trigger="input changed delay:300ms, search"' in html
    assert '<label for="search-box-q"' in html


@pytest.mark.parametrize("role", [Role.GROUP_EXEC, Role.RECEPTIONIST])
def test_search_box_hidden_from_roles_without_search(make_user, role):
    assert _box(make_user(role)).strip() == ""


def test_search_box_gives_way_to_the_search_pages_own_form(consultant):
    assert _box(consultant, search_page=True).strip() == ""
