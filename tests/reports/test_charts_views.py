"""The chart report pages: who may open them, the period filter (400 days back, bad input
kept with a 400), the CSV export equal to the table on the page, the chart's scripts loaded
from files only, the other store's rows never counted, and fixed query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.templatetags.static import static
from django.utils import timezone

from aftersales.enums import ComplaintCategory
from dealership.enums import Role
from leads.enums import Channel, LeadStatus, LostReason
from reports.views.charts import PAGES
from tests.aftersales.factories_complaints import complaint_record
from tests.factories import CustomerFactory, SeriesFactory, StockVehicleFactory, TrimFactory
from tests.helpers import english
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.reports.factories_charts import answered_survey, local
from tests.showroom.factories import VisitFactory

pytestmark = pytest.mark.django_db

# Noon of 31 March in Shanghai: "this month" is 1–31 March 2026.
NOW = dt.datetime(2026, 3, 31, 4, 0, tzinfo=dt.UTC)
URLS = {
    "index": "/reports/charts/",
    "funnel": "/reports/charts/funnel/",
    "ranking": "/reports/charts/ranking/",
    "lost": "/reports/charts/lost/",
    "first-contact": "/reports/charts/first-contact/",
    "complaints": "/reports/charts/complaints/",
    "satisfaction": "/reports/charts/satisfaction/",
    "stock-aging": "/reports/charts/stock-aging/",
}
CHANNEL_PAGES = ("funnel", "lost")
ALLOWED = {
    "index": {Role.MANAGER, Role.SUPERVISOR, Role.MARKETING},
    **{slug: ({Role.MANAGER, Role.SUPERVISOR, Role.MARKETING} if slug in CHANNEL_PAGES
              else {Role.MANAGER, Role.SUPERVISOR}) for slug in URLS if slug != "index"},
}


@pytest.fixture(autouse=True)
def _clock():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def march(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def parse_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def table_lines(report) -> list[list[str]]:
    """The report's tables as the CSV should hold them."""
    lines: list[list[str]] = []
    for index, table in enumerate(report.tables):
        if index:
            lines.append([])
        lines.append([table.title])
        lines.append(list(table.header))
        lines.extend(list(row) for row in table.rows)
        lines.append(list(table.total))
    return lines


# --- Access -----------------------------------------------------------------------------
@pytest.mark.parametrize("slug", URLS)
def test_chart_pages_anonymous_redirect_to_login(client, slug):
    response = client.get(URLS[slug])

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URLS[slug]}"


@pytest.mark.parametrize("slug", URLS)
@pytest.mark.parametrize("role", list(Role))
def test_chart_pages_open_to_their_roles_only(client, make_user, slug, role):
    client.force_login(make_user(role))

    response = client.get(URLS[slug])

    assert response.status_code == (200 if role in ALLOWED[slug] else 403)


def test_chart_index_lists_the_reports_of_the_role(client, make_user, in_english):
    client.force_login(make_user(Role.MARKETING))

    response = client.get(URLS["index"])

    assert [page.slug for page in response.context["pages"]] == ["funnel", "lost"]
    assert "Consultant ranking" not in response.content.decode()


def test_chart_index_lists_every_report_for_the_manager(client, manager):
    client.force_login(manager)

    response = client.get(URLS["index"])

    assert [page.slug for page in response.context["pages"]] == [p.slug for p in PAGES]


def test_chart_nav_item_for_the_manager(client, manager):
    client.force_login(english(manager))

    response = client.get(URLS["index"])

    assert 'href="/reports/charts/"' in response.content.decode()


# --- The period ----------------------------------------------------------------------------
def test_chart_period_defaults_to_this_month(client, manager):
    client.force_login(manager)

    response = client.get(URLS["funnel"])

    assert response.status_code == 200
    assert (response.context["first_day"], response.context["last_day"]) == (march(1),
                                                                              march(31))


def test_chart_period_not_a_date_is_400_with_the_input_kept(client, manager):
    client.force_login(english(manager))

    response = client.get(URLS["funnel"], {"first_day": "2026-13-01", "last_day": "2026-03-31"})

    assert response.status_code == 400
    assert response.context["report"] is None
    assert response.context["form"].errors == {"first_day": ["Enter a valid date."]}
    assert 'value="2026-13-01"' in response.content.decode()


def test_chart_period_ending_before_it_starts_is_400(client, manager):
    client.force_login(english(manager))

    response = client.get(URLS["lost"], {"first_day": "2026-03-10", "last_day": "2026-03-09"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "last_day": ["The period ends on or after the day it starts."]}


@pytest.mark.parametrize(("first", "last"), [("2025-02-23", "2026-03-31"),
                                             ("2026-03-01", "2026-04-01")])
def test_chart_period_outside_400_days_to_today_is_400(client, manager, first, last):
    client.force_login(english(manager))

    response = client.get(URLS["funnel"], {"first_day": first, "last_day": last})

    assert response.status_code == 400
    assert response.context["form"].errors in (
        {"first_day": ["Enter a date between 2025-02-24 and 2026-03-31."]},
        {"last_day": ["Enter a date between 2025-02-24 and 2026-03-31."]})


def test_chart_period_400_days_back_is_accepted(client, manager):
    client.force_login(manager)

    response = client.get(URLS["funnel"], {"first_day": "2025-02-24", "last_day": "2026-03-31"})

    assert response.status_code == 200


def test_chart_csv_with_a_bad_period_is_400_not_a_file(client, manager):
    client.force_login(manager)

    response = client.get(URLS["funnel"], {"first_day": "x", "format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- The page and its CSV -------------------------------------------------------------------
@pytest.fixture
def march_leads(store, other_store, consultant, outsider):
    spring = CampaignFactory(store=store, name="=春季团购", channel=Channel.WEBSITE,
                             budget=Decimal("2000.00"))
    for hour in (9, 10):
        LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE, campaign=spring,
                    created_at=local(store, march(3), hour))
    LeadFactory(store=store, owner=consultant, channel=Channel.WALK_IN, status=LeadStatus.LOST,
                lost_reason=LostReason.PRICE, created_at=local(store, march(4)),
                closed_at=local(store, march(6)))
    LeadFactory(store=other_store, owner=outsider, channel=Channel.PHONE,
                created_at=local(other_store, march(3)))


def test_funnel_page_shows_the_table_and_the_chart_data(client, manager, march_leads):
    client.force_login(english(manager))

    response = client.get(URLS["funnel"])

    body = response.content.decode()
    report = response.context["report"]
    assert report.tables[0].total == ("Store", "3", "0", "0", "0", "0", "0", "0.0%", "0.0%")
    assert '<script id="chart-data" type="application/json">' in body
    assert f'<script src="{static("vendor/chartjs/chart-4.5.1.umd.min.js")}" defer>' in body
    assert f'<script src="{static("js/charts.js")}" defer>' in body
    assert 'data-chart-source="chart-data"' in body
    assert "<td class=\"num\" data-label=\"Cost per lead\">¥1,000.00</td>" in body


def test_funnel_csv_equals_the_table(client, manager, march_leads):
    client.force_login(english(manager))
    page = client.get(URLS["funnel"], {"first_day": "2026-03-01", "last_day": "2026-03-31"})

    response = client.get(URLS["funnel"], {"first_day": "2026-03-01", "last_day": "2026-03-31",
                                           "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="funnel-DEMO-20260301-20260331.csv"')
    lines = parse_csv(response)
    expected = table_lines(page.context["report"])
    # A campaign named like a formula is written so that a spreadsheet shows it as text.
    expected[[line[:1] for line in expected].index(["=春季团购"])][0] = "'=春季团购"
    assert lines == expected
    assert lines[:3] == [
        ["By channel"],
        ["Channel", "Leads", "Visited", "Test-driven", "Quoted", "Deals", "Delivered",
         "Lead to visit", "Lead to deal"],
        ["Walk-in", "1", "0", "0", "0", "0", "0", "0.0%", "0.0%"],
    ]


@pytest.mark.parametrize("slug", [p.slug for p in PAGES])
def test_every_csv_equals_its_page(client, manager, march_leads, slug):
    client.force_login(english(manager))
    page = client.get(URLS[slug])

    response = client.get(URLS[slug], {"format": "csv"})

    lines = parse_csv(response)
    expected = table_lines(page.context["report"])
    assert [[cell.lstrip("'") for cell in line] for line in lines] == expected
    assert response["Content-Disposition"] == (
        f'attachment; filename="{slug}-DEMO-20260301-20260331.csv"')


def test_chart_pages_never_count_another_stores_rows(client, make_user, other_store,
                                                     march_leads):
    client.force_login(english(make_user(Role.MANAGER, username="other-manager",
                                         store=other_store)))

    response = client.get(URLS["funnel"])

    assert response.context["report"].tables[0].total[:2] == ("Store", "1")
    assert "春季团购" not in response.content.decode()


def test_empty_report_says_what_to_do(client, manager):
    client.force_login(english(manager))

    response = client.get(URLS["lost"])

    body = response.content.decode()
    assert "Nothing to show for this period." in body
    assert "chart-data" not in body


# --- Query counts ------------------------------------------------------------------------
def _rows(slug: str, store, count: int, make_user) -> None:
    """`count` rows of the report's main table, in March."""
    day = local(store, march(5))
    for n in range(count):
        person = make_user(Role.CONSULTANT, username=f"c{slug}{n}", name=f"顾问{n}")
        if slug == "funnel":
            campaign = CampaignFactory(store=store, name=f"活动{n}")
            LeadFactory(store=store, owner=person, campaign=campaign, created_at=day)
        elif slug == "ranking":
            VisitFactory(store=store, consultant=person, arrived_at=day)
        elif slug == "lost":
            LeadFactory(store=store, owner=person, status=LeadStatus.LOST,
                        channel=list(Channel)[n], lost_reason=list(LostReason)[n],
                        created_at=day, closed_at=day)
        elif slug == "first-contact":
            LeadFactory(store=store, owner=person, channel=Channel.WEBSITE, created_at=day)
        elif slug == "complaints":
            carer = make_user(Role.CUSTOMER_CARE, username=f"care{n}")
            complaint_record(carer, CustomerFactory(store=store), received_at=day,
                             category=list(ComplaintCategory)[n])
        elif slug == "satisfaction":
            answered_survey(person, answered_at=day, scores={"overall": 8})
        elif slug == "stock-aging":
            StockVehicleFactory(store=store, trim=TrimFactory(series=SeriesFactory(
                name=f"Model {n}")), arrival_date=march(1))


# session, user, store (its time zone) and the report's own queries
QUERIES = {"funnel": 3 + 1, "ranking": 3 + 15, "lost": 3 + 1, "first-contact": 3 + 1,
           "complaints": 3 + 1, "satisfaction": 3 + 1, "stock-aging": 3 + 1}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("slug", list(QUERIES))
def test_chart_page_query_count_is_fixed(client, manager, store, make_user, slug, count,
                                         django_assert_num_queries):
    _rows(slug, store, count, make_user)
    client.force_login(manager)

    with django_assert_num_queries(QUERIES[slug]):
        response = client.get(URLS[slug])

    # the table with a row per campaign, consultant, reason, person, category, model
    index = 1 if slug in ("funnel", "first-contact", "satisfaction") else 0
    table = response.context["report"].tables[index]
    assert len(table.rows) == (len(LostReason) if slug == "lost" else count)


def test_marketing_sees_the_funnel_without_customer_data(client, make_user, store, customer,
                                                         consultant):
    LeadFactory(store=store, owner=consultant, customer=customer, channel=Channel.WEBSITE,
                created_at=local(store, march(3)))
    client.force_login(english(make_user(Role.MARKETING)))

    page = client.get(URLS["funnel"])
    export = client.get(URLS["funnel"], {"format": "csv"})

    assert page.context["report"].tables[0].rows == [
        ("Website", "1", "0", "0", "0", "0", "0", "0.0%", "0.0%")]
    for body in (page.content.decode(), export.content.decode()):
        assert "张三丰" not in body
        assert "王芳" not in body
