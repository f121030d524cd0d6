"""In the browser: the chart is drawn by static/js/charts.js from the embedded JSON with
no script error and no CSP violation; the table stays beside it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from dealership.enums import Role
from leads.enums import Channel
from tests.e2e.helpers import assert_accessible, log_in, watch
from tests.factories import SeriesFactory, StockVehicleFactory, TrimFactory, UserFactory
from tests.helpers import english
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_funnel_chart_is_drawn_under_the_csp(live_server, page: Page, store, tmp_path):
    manager = english(UserFactory(username="zhou", name="周经理", role=Role.MANAGER,
                                  store=store))
    today = store.today()
    start = dt.datetime.combine(today, dt.time(0, 30), tzinfo=store.tzinfo)
    for channel in (Channel.WEBSITE, Channel.WEBSITE, Channel.WALK_IN):
        LeadFactory(store=store, channel=channel, created_at=start)
    problems: list[str] = []
    watch(page, problems)

    log_in(page, live_server.url, manager.username)
    page.goto(f"{live_server.url}/reports/charts/funnel/")
    assert_accessible(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Funnel by channel and campaign")
    expect(page.locator("canvas.chart-canvas")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#chart-report table").first).to_contain_text("Website")
    page.screenshot(path=str(tmp_path / "charts-funnel.png"), full_page=True)
    assert problems == []


def test_every_report_page_runs_without_script_errors(live_server, page: Page, store,
                                                      tmp_path):
    manager = english(UserFactory(username="zhou", name="周经理", role=Role.MANAGER,
                                  store=store))
    today = store.today()
    for name, ages in (("Camry", (5, 45, 95)), ("Corolla", (70,))):
        trim = TrimFactory(series=SeriesFactory(name=name))
        for age in ages:
            StockVehicleFactory(store=store, trim=trim,
                                arrival_date=today - dt.timedelta(days=age))
    problems: list[str] = []
    watch(page, problems)
    log_in(page, live_server.url, manager.username)

    for slug in ("ranking", "lost", "first-contact", "complaints", "satisfaction"):
        page.goto(f"{live_server.url}/reports/charts/{slug}/")
        assert_accessible(page)
        expect(page.locator("#chart-report")).to_be_visible()
    page.goto(f"{live_server.url}/reports/charts/stock-aging/")
    assert_accessible(page)

    expect(page.locator("canvas.chart-canvas")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#chart-report tfoot")).to_contain_text("Store")
    page.screenshot(path=str(tmp_path / "charts-stock.png"), full_page=True)
    assert problems == []
