"""The owner's file, the owners' list and the data-quality list as the staff use them:
who may open what (outside scope → 404, other roles → 403), what the pages show (masked
phone only), the link from the customer page, and a fixed number of queries at 1 and 3
rows of every kind."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.enums import CareStepKind, CareStepStatus
from contracts.enums import ContractStatus
from dealership.enums import Role
from dealership.registry import nav_items
from tests.aftersales.factories_owners import (
    answered_survey,
    care_plan,
    care_step,
    complaint,
    local,
    owned,
    points_account,
    service_record,
)
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

LIST = "/aftersales/owners/"
DATA_QUALITY = "/aftersales/owners/data-quality/"
DAY0 = dt.date(2026, 3, 2)


def file_url(customer) -> str:
    return f"/aftersales/owners/{customer.pk}/"


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def owner(consultant, manager, customer):
    owned(consultant, manager, customer=customer, plate="粤B12345")
    return customer


# --- Access ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [LIST, DATA_QUALITY, "/aftersales/owners/1/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE])
def test_file_store_wide_roles_open_any_owner_of_the_store(client, make_user, owner, role):
    client.force_login(english(make_user(role)))

    response = client.get(file_url(owner))

    assert response.status_code == 200
    assert response.context["customer"] == owner
    assert "粤B12345" in response.content.decode()


def test_file_consultant_opens_own_owner(client, consultant, owner):
    client.force_login(consultant)

    assert client.get(file_url(owner)).status_code == 200


def test_file_supervisor_opens_the_team_owner(client, supervisor, owner):
    client.force_login(supervisor)

    assert client.get(file_url(owner)).status_code == 200


def test_file_teammate_gets_404(client, teammate, owner):
    client.force_login(teammate)

    assert client.get(file_url(owner)).status_code == 404


def test_file_supervisor_of_another_team_gets_404(client, store, owner):
    other_supervisor = UserFactory(username="sup2", role=Role.SUPERVISOR, store=store)
    client.force_login(other_supervisor)

    assert client.get(file_url(owner)).status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE,
                                  Role.CONSULTANT])
def test_file_other_store_gets_404(client, other_store, owner, role):
    client.force_login(UserFactory(username="far", role=role, store=other_store))

    assert client.get(file_url(owner)).status_code == 404


def test_file_unknown_customer_gets_404(client, manager, owner):
    client.force_login(manager)

    assert client.get(f"/aftersales/owners/{owner.pk + 1000}/").status_code == 404


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.FINANCE, Role.MARKETING,
                                  Role.GROUP_EXEC, Role.ADMIN])
@pytest.mark.parametrize("path", ["file", LIST])
def test_other_roles_are_forbidden(client, make_user, owner, role, path):
    client.force_login(make_user(role))

    response = client.get(file_url(owner) if path == "file" else path)

    assert response.status_code == 403
    assert owner.name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SERVICE_ADVISOR, Role.RECEPTIONIST,
                                  Role.FINANCE, Role.MARKETING])
def test_data_quality_other_roles_are_forbidden(client, make_user, owner, role):
    client.force_login(make_user(role, username=f"dq-{role}"))

    response = client.get(DATA_QUALITY)

    assert response.status_code == 403
    assert owner.name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.CUSTOMER_CARE])
def test_data_quality_roles_see_the_incomplete_file(client, make_user, supervisor, manager,
                                                    owner, role):
    user = {Role.SUPERVISOR: supervisor, Role.MANAGER: manager}.get(role) or make_user(role)
    client.force_login(english(user))

    response = client.get(DATA_QUALITY)

    assert response.status_code == 200
    assert [f.customer for g in response.context["groups"] for f in g.files] == [owner]


# --- The owner's file ------------------------------------------------------------------------
def test_file_shows_masked_phone_consent_points_and_links_the_contract(client, consultant,
                                                                      manager, customer):
    customer.marketing_consent = True
    customer.consent_at = local(customer.store, DAY0, 9)
    customer.consent_source = "form"
    customer.save()
    contract, vehicle = owned(consultant, manager, customer=customer, plate="粤B12345")
    points_account(customer, balance=2000)
    client.force_login(english(consultant))

    response = client.get(file_url(customer))
    html = response.content.decode()

    assert "138****5678" in html
    assert "+8613812345678" not in html and "13812345678" not in html
    assert vehicle.vin in html
    assert f'href="/contracts/{contract.pk}/"' in html or contract.get_absolute_url() in html
    assert "Agreed on 2026-03-02" in html
    assert response.context["file"].points == 2000


def test_file_contract_number_is_plain_text_for_the_service_advisor(client, advisor, owner):
    client.force_login(english(advisor))

    html = client.get(file_url(owner)).content.decode()

    contract = owner.contracts.get()
    assert 'data-testid="owner-contract-number"' in html
    assert contract.get_absolute_url() not in html
    assert contract.number in html


def test_file_shows_next_due_from_the_care_plan(client, manager, consultant, customer):
    contract, vehicle = owned(consultant, manager, customer=customer)
    care_step(care_plan(contract, vehicle=vehicle), kind=CareStepKind.FIRST_MAINTENANCE,
              due_on=DAY0 + dt.timedelta(days=30))
    client.force_login(english(manager))

    html = client.get(file_url(customer)).content.decode()

    assert "2026-04-01" in html
    assert "or at 5000 km" in html
    assert "First maintenance of the care plan" in html


def test_file_without_delivery_says_what_comes_next(client, consultant, customer):
    client.force_login(english(consultant))

    html = client.get(file_url(customer)).content.decode()

    assert "No delivered car yet." in html
    assert "No service yet." in html


# --- The owners' list ------------------------------------------------------------------------
def test_list_consultant_sees_only_own_owners(client, store, consultant, teammate, manager,
                                             customer):
    owned(consultant, manager, customer=customer)
    owned(teammate, manager, customer=CustomerFactory(store=store, owner=teammate,
                                                      name="李别人"))
    signed_only = CustomerFactory(store=store, owner=consultant, name="王只签")
    make_contract(consultant, signed_only, manager=manager, status=ContractStatus.SIGNED)
    client.force_login(consultant)

    response = client.get(LIST)

    assert [row.customer for row in response.context["rows"]] == [customer]
    assert "consultant" not in response.context["form"].fields


def test_list_advisor_sees_the_store_owners_only(client, store, other_store, consultant,
                                                teammate, manager, advisor, customer):
    owned(consultant, manager, customer=customer)
    theirs = CustomerFactory(store=store, owner=teammate, name="Li Bieren")
    owned(teammate, manager, customer=theirs)
    far = UserFactory(username="far", role=Role.CONSULTANT, store=other_store)
    owned(far, UserFactory(username="farmgr", role=Role.MANAGER, store=other_store),
          customer=CustomerFactory(store=other_store, owner=far, name="外店车主"))
    client.force_login(advisor)

    response = client.get(LIST)

    assert {row.customer for row in response.context["rows"]} == {customer, theirs}
    assert "外店车主" not in response.content.decode()


def test_list_search_by_name_plate_and_vin_tail(client, store, consultant, manager, customer):
    _contract, vehicle = owned(consultant, manager, customer=customer, plate="粤B12345")
    other = CustomerFactory(store=store, owner=consultant, name="李四")
    owned(consultant, manager, customer=other, plate="粤B99999")
    client.force_login(manager)

    by_name = client.get(LIST, {"q": "三丰"}).context["rows"]
    by_plate = client.get(LIST, {"q": "b 12345"}).context["rows"]
    by_vin = client.get(LIST, {"q": vehicle.vin[-6:].lower()}).context["rows"]

    assert [r.customer for r in by_name] == [customer]
    assert [r.customer for r in by_plate] == [customer]
    assert [r.customer for r in by_vin] == [customer]


def test_list_filter_by_consultant(client, store, consultant, teammate, manager, customer):
    owned(consultant, manager, customer=customer)
    theirs = CustomerFactory(store=store, owner=teammate, name="李别人")
    owned(teammate, manager, customer=theirs)
    client.force_login(manager)

    response = client.get(LIST, {"consultant": teammate.pk})

    assert [row.customer for row in response.context["rows"]] == [theirs]


def test_list_bad_filter_is_400_with_the_form_kept(client, manager, owner):
    client.force_login(english(manager))

    response = client.get(LIST, {"consultant": "999999", "q": "粤B"})

    assert response.status_code == 400
    assert response.context["form"].errors["consultant"] == [
        "Select a valid choice. That choice is not one of the available choices."]
    assert 'value="粤B"' in response.content.decode()


def test_list_htmx_renders_the_rows_partial(client, manager, owner):
    client.force_login(manager)

    response = client.get(LIST, {"q": owner.name}, **HTMX, HTTP_HX_TARGET="owner-rows")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="owner-rows">')
    assert owner.name in html
    assert response["Vary"].count("HX-Request") == 1


def test_list_paginates(client, store, consultant, manager, monkeypatch):
    from aftersales.views import owners as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    names = ["Ann", "Bo", "Cy"]
    for name in names:
        owned(consultant, manager, customer=CustomerFactory(store=store, owner=consultant,
                                                            name=name))
    client.force_login(manager)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert [row.customer.name for row in first.context["rows"]] == ["Ann", "Bo"]
    assert [row.customer.name for row in second.context["rows"]] == ["Cy"]
    assert 'rel="next"' in first.content.decode()


def test_list_empty_state_says_what_to_do(client, manager):
    client.force_login(english(manager))

    html = client.get(LIST).content.decode()

    assert "No owners yet." in html


# --- The customer page's link and the menu ----------------------------------------------------
def test_customer_page_links_an_owner_to_the_file(client, consultant, owner):
    client.force_login(consultant)

    html = client.get(f"/customers/{owner.pk}/").content.decode()

    assert f'href="{file_url(owner)}"' in html


def test_customer_page_has_no_link_before_delivery(client, consultant, manager, customer):
    make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)
    client.force_login(consultant)

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    assert 'data-testid="owner-file-link"' not in html


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MARKETING])
def test_customer_page_has_no_link_for_roles_without_the_file(client, make_user, owner, role):
    client.force_login(make_user(role))

    response = client.get(f"/customers/{owner.pk}/")

    assert response.status_code == 200
    assert 'data-testid="owner-file-link"' not in response.content.decode()


def test_owners_menu_item_roles():
    item = next(i for i in nav_items() if i.url_name == "aftersales:owner_list")

    assert set(item.roles) == {Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.SUPERVISOR,
                               Role.MANAGER}
    assert item.order == 275


# --- Query counts ----------------------------------------------------------------------------
def _owners(store, consultant, manager, advisor, n: int) -> list:
    customers = []
    for i in range(n):
        customer = CustomerFactory(store=store, owner=consultant, name=f"Owner {i}")
        contract, vehicle = owned(consultant, manager, customer=customer, plate=f"粤B1000{i}")
        care_step(care_plan(contract, vehicle=vehicle), kind=CareStepKind.FIRST_MAINTENANCE,
                  due_on=DAY0)
        service_record(customer, advisor, vehicle=vehicle, serviced_on=DAY0,
                       next_due_on=DAY0 + dt.timedelta(days=180), next_due_km=10000)
        customers.append(customer)
    return customers


@pytest.mark.parametrize("n", [1, 3])
def test_list_queries_are_fixed(client, store, consultant, manager, advisor,
                                django_assert_num_queries, n):
    _owners(store, consultant, manager, advisor, n)
    client.force_login(manager)

    # session, user, store (today), count, page, latest contracts, the store's maintenance
    # rules,
    # consultants of the filter.
    with django_assert_num_queries(8):
        response = client.get(LIST)

    assert len(response.context["rows"]) == n


def _rich_file(store, consultant, manager, advisor, customer, n: int) -> None:
    """n of every source of the file's timeline for one customer."""
    for i in range(n):
        at = local(store, DAY0 + dt.timedelta(days=10 * i), 10)
        LeadFactory(store=store, customer=customer, owner=consultant, created_at=at)
        VisitFactory(store=store, consultant=consultant, customer=customer, arrived_at=at,
                     usage="family")
        DriveFactory(store=store, consultant=consultant, customer=customer,
                     slot_start=at + dt.timedelta(hours=1))
        contract, vehicle = owned(consultant, manager, customer=customer,
                                  at=at + dt.timedelta(days=2), plate=f"粤B2000{i}")
        plan = care_plan(contract, vehicle=vehicle)
        care_step(plan, kind=CareStepKind.THANK_YOU_CALL, due_on=DAY0,
                  status=CareStepStatus.DONE, done_at=at + dt.timedelta(days=3),
                  done_by=consultant)
        care_step(plan, kind=CareStepKind.FIRST_MAINTENANCE, due_on=DAY0)
        service_record(customer, advisor, vehicle=vehicle, serviced_on=DAY0,
                       items=(("机油", "300"), ("工时", "100")))
        answered_survey(contract, answered_at=at + dt.timedelta(days=4), lowest_score=8)
        complaint(customer, received_at=at + dt.timedelta(days=5),
                  closed_at=at + dt.timedelta(days=6))
    points_account(customer, balance=100)


@pytest.mark.parametrize("n", [1, 3])
def test_file_queries_are_fixed(client, store, consultant, manager, advisor, customer,
                                django_assert_num_queries, n):
    _rich_file(store, consultant, manager, advisor, customer, n)
    client.force_login(manager)

    # session, user, customer, contracts, allocations, records, items, care steps, the
    # store's maintenance rules, visits, points, leads, test drives, quotes, surveys, complaints,
    # the store (today).
    with django_assert_num_queries(17):
        response = client.get(file_url(customer))

    file = response.context["file"]
    assert (len(file.vehicles), len(file.service_history)) == (n, n)
    assert len(file.timeline) == 11 * n


@pytest.mark.parametrize("n", [1, 3])
def test_data_quality_queries_are_fixed(client, store, consultant, manager,
                                        django_assert_num_queries, n):
    for i in range(n):
        owned(consultant, manager,
              customer=CustomerFactory(store=store, owner=consultant, name=f"Owner {i}"))
    client.force_login(manager)

    # session, user, store (today), the delivered contracts with customer and handover.
    with django_assert_num_queries(4):
        response = client.get(DATA_QUALITY)

    assert sum(len(g.files) for g in response.context["groups"]) == n
