"""Commission pages (issue 13 §8): a consultant sees their own statement only, the manager
everyone's with totals, finance the payroll CSV (the manager's table, the same figures);
the scheme page's form; query counts at 1 and 3 consultants."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from dealership.enums import Role
from reports.models import CommissionScheme, CommissionTier
from reports.selectors.commission import commission_statement
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX, english
from tests.reports.factories_commission import at, deliver, make_scheme

pytestmark = pytest.mark.django_db

PAGE = "/reports/commission/"
SCHEME = "/reports/commission/scheme/"
OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
NOW = at(dt.date(2026, 11, 20), 15)


def _statement_url(user) -> str:
    return f"/reports/commission/consultants/{user.pk}/"


@pytest.fixture(autouse=True)
def _clock():
    """Today is 20 November 2026 in the store (the clock is the outside world)."""
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


@pytest.fixture
def october(store, manager, consultant, teammate, customer):
    """October's scheme (tiers 1→300, 5→400, 10→500; 10% of value-added); 王芳 delivered
    two contracts, 李强 one."""
    make_scheme(store, manager, month=OCT, value_added="10")
    mine = [deliver(consultant, customer, manager, when=at(dt.date(2026, 10, day)),
                    packages=["1000"]) for day in (8, 21)]
    theirs = deliver(teammate, CustomerFactory(store=store, owner=teammate, name="陈静"),
                     manager, when=at(dt.date(2026, 10, 12)))
    return mine, theirs


# --- Access -------------------------------------------------------------------------------
def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={PAGE}")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.RECEPTIONIST, Role.MARKETING])
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}?format=csv").status_code == 403


def test_consultant_sees_only_their_own_statement(client, consultant, october):
    (first, second), theirs = october
    client.force_login(english(consultant))

    response = client.get(f"{PAGE}?month=2026-10")

    assert response.status_code == 200
    entry = response.context["entry"]
    assert (entry.consultant, entry.units, entry.total) == (
        consultant, 2, Decimal("800.00"))  # 2 × 300 + 2 × (1,000 × 10%)
    text = response.content.decode()
    assert first.number in text and second.number in text and "张三丰" in text
    assert theirs.number not in text and "陈静" not in text
    assert "¥800.00" in text


def test_consultant_opening_a_teammates_statement_gets_404(client, consultant, teammate,
                                                          outsider, october):
    client.force_login(consultant)

    assert client.get(_statement_url(teammate)).status_code == 404
    assert client.get(_statement_url(outsider)).status_code == 404
    assert client.get(_statement_url(consultant)).status_code == 200


def test_consultant_may_not_download_the_payroll_file(client, consultant, october):
    client.force_login(consultant)

    assert client.get(f"{PAGE}?month=2026-10&format=csv").status_code == 403


def test_manager_sees_every_consultant_with_totals(client, manager, consultant, teammate,
                                                   october):
    client.force_login(english(manager))

    response = client.get(f"{PAGE}?month=2026-10")

    assert response.status_code == 200
    statement = response.context["statement"]
    assert [(e.consultant, e.units, e.total) for e in statement.consultants] == [
        (teammate, 1, Decimal("300.00")), (consultant, 2, Decimal("800.00"))]
    assert (statement.units, statement.total) == (3, Decimal("1100.00"))
    assert "¥1,100.00" in response.content.decode()


def test_manager_drills_down_to_a_consultant_but_not_another_stores(client, manager,
                                                                    consultant, outsider,
                                                                    october):
    client.force_login(manager)

    response = client.get(f"{_statement_url(consultant)}?month=2026-10")

    assert response.status_code == 200
    assert [line.contract_id for line in response.context["entry"].lines] == [
        c.pk for c in october[0]]
    assert client.get(_statement_url(outsider)).status_code == 404


def test_a_statement_of_someone_who_does_not_sell_is_404(client, manager, make_user):
    client.force_login(manager)

    for user in (manager, make_user(Role.RECEPTIONIST), make_user(Role.FINANCE)):
        assert client.get(f"{_statement_url(user)}?month=2026-10").status_code == 404


def test_finance_gets_the_download_page(client, make_user, october):
    client.force_login(english(make_user(Role.FINANCE)))

    response = client.get(f"{PAGE}?month=2026-10")

    assert response.status_code == 200
    assert "statement" not in response.context
    assert 'href="?month=2026-10&amp;format=csv"' in response.content.decode()


def test_finance_htmx_gets_the_download_partial(client, make_user, october):
    client.force_login(make_user(Role.FINANCE))

    response = client.get(f"{PAGE}?month=2026-09", **HTMX)

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="commission-body">')
    assert 'href="?month=2026-09&amp;format=csv"' in text


def test_commission_is_in_the_menu_of_consultants_managers_and_finance():
    from dealership.registry import nav_items

    (item,) = [item for item in nav_items() if item.url_name == "reports:commission"]
    assert (sorted(item.roles), item.order) == (["consultant", "finance", "manager"], 298)


# --- The payroll file ---------------------------------------------------------------------
def _csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_csv_equals_the_managers_page(client, make_user, manager, role, store, october):
    client.force_login(english(manager))
    page = client.get(f"{PAGE}?month=2026-10").context["statement"]
    client.force_login(english(make_user(role, username=f"csv-{role}")))

    response = client.get(f"{PAGE}?month=2026-10&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="commission-DEMO-2026-10.csv"')
    header, *rows = _csv_rows(response)
    assert header == ["Month", "Consultant", "Username", "Units", "Tier from units",
                      "Amount per unit", "Units amount", "Value-added", "Finance",
                      "Insurance", "Reversals", "Total"]
    assert rows == [
        ["2026-10", e.consultant.get_full_name(), e.consultant.username, str(e.units),
         str(e.tier.min_units), *(f"{amount:.2f}" for amount in (
             e.unit_amount, e.units_total, e.value_added_total, e.finance_total,
             e.insurance_total, e.reversals_total, e.total))] for e in page.consultants]
    assert rows == [
        ["2026-10", "李强", "mate", "1", "1", "300.00", "300.00", "0.00", "0.00", "0.00",
         "0.00", "300.00"],
        ["2026-10", "王芳", "con", "2", "1", "300.00", "600.00", "200.00", "0.00", "0.00",
         "0.00", "800.00"]]


# --- The month ----------------------------------------------------------------------------
def test_without_a_month_the_page_shows_this_store_month(client, manager, october):
    client.force_login(manager)

    response = client.get(PAGE)

    assert response.context["statement"].month == NOV


@pytest.mark.parametrize("month", ["2024-10", "2026-12", "2026-13", "tomorrow"])
def test_a_month_out_of_range_is_refused_with_a_message(client, manager, month, october):
    client.force_login(english(manager))

    response = client.get(f"{PAGE}?month={month}")

    assert response.status_code == 400
    assert "statement" not in response.context
    assert list(response.context["form"].errors) == ["month"]
    assert "Select a valid choice." in response.content.decode()


def test_the_oldest_month_is_24_months_back(client, manager):
    client.force_login(manager)

    assert client.get(f"{PAGE}?month=2024-11").status_code == 200


def test_htmx_renders_the_body_partial(client, manager, october):
    client.force_login(manager)

    response = client.get(f"{PAGE}?month=2026-10", **HTMX)

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="commission-body">')
    assert "<html" not in text


@pytest.mark.parametrize("count", [1, 3])
def test_page_query_count_is_fixed(client, store, manager, count, django_assert_num_queries):
    make_scheme(store, manager, month=OCT)
    for n in range(count):
        seller = UserFactory(role=Role.CONSULTANT, store=store)
        deliver(seller, CustomerFactory(store=store, owner=seller), manager,
                when=at(dt.date(2026, 10, 5 + n)))
    client.force_login(manager)

    # session, user, the user's store, then the statement's 6
    with django_assert_num_queries(9):
        response = client.get(f"{PAGE}?month=2026-10")

    assert len(response.context["statement"].consultants) == count


@pytest.mark.parametrize("count", [1, 3])
def test_consultant_page_query_count_is_fixed(client, store, manager, consultant, customer,
                                              count, django_assert_num_queries):
    make_scheme(store, manager, month=OCT)
    for n in range(count):
        deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 5 + n)))
    client.force_login(consultant)

    # session, user, the user's store, then the consultant's statement: 5
    with django_assert_num_queries(8):
        response = client.get(f"{PAGE}?month=2026-10")

    assert len(response.context["entry"].lines) == count


@pytest.mark.parametrize("count", [1, 3])
def test_drill_down_query_count_is_fixed(client, store, manager, consultant, customer,
                                         count, django_assert_num_queries):
    make_scheme(store, manager, month=OCT)
    for n in range(count):
        deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 5 + n)))
    client.force_login(manager)

    # session, user, the consultant, the user's store, then the consultant's statement: 5
    with django_assert_num_queries(9):
        response = client.get(f"{_statement_url(consultant)}?month=2026-10")

    assert len(response.context["entry"].lines) == count


# --- The scheme page ----------------------------------------------------------------------
def _scheme_post(**overrides) -> dict:
    data = {"valid_from": "2026-12-01", "value_added_percent": "5", "finance_percent": "1.5",
            "insurance_percent": "6", "note": "年底",
            "tiers-TOTAL_FORMS": "4", "tiers-INITIAL_FORMS": "0",
            "tiers-MIN_NUM_FORMS": "0", "tiers-MAX_NUM_FORMS": "10",
            "tiers-0-min_units": "1", "tiers-0-amount_per_unit": "300",
            "tiers-1-min_units": "5", "tiers-1-amount_per_unit": "400",
            "tiers-2-min_units": "", "tiers-2-amount_per_unit": "",
            "tiers-3-min_units": "", "tiers-3-amount_per_unit": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.FINANCE, Role.SUPERVISOR])
def test_scheme_page_is_the_managers(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(SCHEME).status_code == 403
    assert client.post(SCHEME, _scheme_post()).status_code == 403
    assert CommissionScheme.objects.count() == 0


def test_scheme_page_lists_versions_and_prefills_the_newest(client, store, manager):
    make_scheme(store, manager, month=OCT, tiers=((1, "300"), (6, "420")), value_added="3")
    client.force_login(english(manager))

    response = client.get(SCHEME)

    assert response.status_code == 200
    assert [v.valid_from for v in response.context["versions"]] == [OCT]
    assert response.context["form"].initial["value_added_percent"] == Decimal("3.00")
    assert [f.initial for f in response.context["tiers"].forms[:2]] == [
        {"min_units": 1, "amount_per_unit": Decimal("300.00")},
        {"min_units": 6, "amount_per_unit": Decimal("420.00")}]
    assert [value for value, _label in response.context["form"].fields["valid_from"].choices][
        :2] == ["2026-11-01", "2026-12-01"]


@pytest.mark.parametrize("count", [1, 3])
def test_scheme_page_query_count_is_fixed(client, store, manager, count,
                                          django_assert_num_queries):
    for month in (dt.date(2026, 9, 1), OCT, NOV)[:count]:
        make_scheme(store, manager, month=month)
    client.force_login(manager)

    # session, user, the user's store, the versions (with who set them), their tiers
    with django_assert_num_queries(5):
        response = client.get(SCHEME)

    assert len(response.context["versions"]) == count


def test_scheme_post_creates_a_version(client, store, manager):
    client.force_login(manager)

    response = client.post(SCHEME, _scheme_post())

    assert (response.status_code, response["Location"]) == (302, SCHEME)
    scheme = CommissionScheme.objects.get()
    assert (scheme.store, scheme.valid_from, scheme.finance_percent, scheme.note) == (
        store, dt.date(2026, 12, 1), Decimal("1.50"), "年底")
    assert list(scheme.tiers.values_list("min_units", "amount_per_unit")) == [
        (1, Decimal("300.00")), (5, Decimal("400.00"))]


def test_scheme_post_by_htmx_redirects_the_page(client, manager):
    client.force_login(manager)

    response = client.post(SCHEME, _scheme_post(), **HTMX)

    assert (response.status_code, response["HX-Redirect"]) == (200, SCHEME)
    assert CommissionScheme.objects.count() == 1


@pytest.mark.parametrize(("overrides", "message"), [
    ({"tiers-0-min_units": "2"}, "The first tier starts at 0 or 1 unit."),
    ({"tiers-1-min_units": "1"}, "Each tier starts at more units than the one before it."),
    ({"tiers-0-min_units": "", "tiers-0-amount_per_unit": "", "tiers-1-min_units": "",
      "tiers-1-amount_per_unit": ""},
     "Enter at least one tier: from how many units, and the amount per unit."),
])
def test_scheme_post_with_bad_tiers_is_refused_and_keeps_the_input(client, manager,
                                                                   overrides, message):
    client.force_login(english(manager))

    response = client.post(SCHEME, _scheme_post(**overrides))

    assert response.status_code == 400
    assert response.context["tiers"].non_form_errors() == [message]
    assert 'value="年底"' in response.content.decode()
    assert (CommissionScheme.objects.count(), CommissionTier.objects.count()) == (0, 0)


def test_scheme_post_with_a_bad_percentage_names_the_field(client, manager):
    client.force_login(english(manager))

    response = client.post(SCHEME, _scheme_post(insurance_percent="120"), **HTMX)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "insurance_percent": ["Ensure this value is less than or equal to 100."]}
    assert response.content.decode().lstrip().startswith('<form id="scheme-form"')
    assert CommissionScheme.objects.count() == 0


def test_scheme_post_for_a_begun_month_with_a_version_is_refused(client, store, manager):
    make_scheme(store, manager, month=NOV, tiers=((1, "300"),))
    client.force_login(english(manager))

    response = client.post(SCHEME, _scheme_post(valid_from="2026-11-01"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"valid_from": [
        "The version from 2026-11 is already in force and can't be changed; start the "
        "change in a later month."]}
    assert list(CommissionTier.objects.values_list("amount_per_unit", flat=True)) == [
        Decimal("300.00")]


def test_scheme_post_for_a_past_month_is_refused(client, manager):
    client.force_login(english(manager))

    response = client.post(SCHEME, _scheme_post(valid_from="2026-10-01"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["valid_from"]
    assert CommissionScheme.objects.count() == 0


def test_statement_selector_agrees_with_the_page(client, store, manager, october):
    client.force_login(manager)

    page = client.get(f"{PAGE}?month=2026-10").context["statement"]

    assert page.total == commission_statement(store=store, month=OCT).total
