"""Issue 14: three everyday tasks done with the keyboard alone (Tab, Enter, arrows and
typing): the receptionist registers a walk-in, a consultant saves a quote, a supervisor
approves a discount. Focus reaches each control in reading order and shows a ring."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contracts.enums import ApprovalStatus, QuoteStatus
from contracts.models import ApprovalRequest, Quote
from dealership.enums import Role, Seniority
from showroom.models import Visit
from tests.contracts.factories import make_quote, pending_approval
from tests.e2e.helpers import assert_accessible, log_in, watch
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    StoreFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)
from tests.leads.factories import LeadFactory
from tests.showroom.factories import DutyShiftFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => { const e = document.activeElement;
  return e.id || e.getAttribute('data-testid') || e.getAttribute('name')
         || e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 20); }"""
RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""


def tab_to(page: Page, selector: str, *, within: int) -> list[str]:
    """Press Tab until the focused element matches `selector`, at most `within` times;
    what got focus on the way, for the failure message. The focus must show a ring."""
    path = []
    for _ in range(within):
        page.keyboard.press("Tab")
        path.append(page.evaluate(FOCUSED))
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(RING), f"{selector} has focus but no visible focus ring"
            return path
    raise AssertionError(f"{selector} not reached in {within} Tabs: {path}")


@pytest.fixture
def team():
    store = StoreFactory(code="KBD", name="键盘店", opens_at=dt.time(0, 0),
                         closes_at=dt.time(23, 59))
    supervisor = UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store,
                             language="en")
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                             team=TeamFactory(store=store, supervisor=supervisor),
                             seniority=Seniority.SENIOR, language="en")
    return store, supervisor, consultant


def test_receptionist_registers_a_walk_in_with_the_keyboard(live_server, page: Page, team):
    store, _supervisor, consultant = team
    UserFactory(username="desk", role=Role.RECEPTIONIST, store=store, language="en")
    DutyShiftFactory(store=store, date=store.today(), consultant=consultant, position=1)
    problems: list[str] = []
    watch(page, problems)
    log_in(page, live_server.url, "desk")
    expect(page).to_have_url(f"{live_server.url}/showroom/desk/")

    tab_to(page, "[data-testid=register-walk-in]", within=60)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/showroom/walk-in/")
    assert_accessible(page)
    # The search for a returning customer comes first, then the visitor's form in order.
    tab_to(page, "#id_q", within=40)
    tab_to(page, "#id_arrived_at", within=3)
    # Arrival is filled in with the time the page opened: the receptionist moves on.
    arrived = dt.datetime.fromisoformat(page.locator("#id_arrived_at").input_value())
    tab_to(page, "#id_party_size", within=8)  # past the picker's date and time parts
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("3")
    tab_to(page, "[name=first_visit]", within=2)
    tab_to(page, "#id_phone", within=3)
    tab_to(page, "#id_name", within=2)
    page.keyboard.type("刘先生")
    tab_to(page, "[data-testid=walk-in-submit]", within=6)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/showroom/desk/")
    visit = Visit.objects.get()
    assert (timezone.localtime(visit.arrived_at, store.tzinfo).replace(tzinfo=None),
            visit.party_size, visit.consultant, visit.first_visit) == (
        arrived, 3, consultant, True)
    assert problems == []


def test_consultant_saves_a_quote_with_the_keyboard(live_server, page: Page, team):
    store, _supervisor, consultant = team
    trim = TrimFactory(name="2.5L 豪华版", msrp=Decimal("209800.00"))
    colour = ColourFactory(series=trim.series, name="珍珠白")
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰")
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    problems: list[str] = []
    watch(page, problems)
    log_in(page, live_server.url, "con")
    page.goto(f"{live_server.url}/contracts/quotes/new/?customer={customer.pk}&lead={lead.pk}")
    assert_accessible(page)

    tab_to(page, "#id_trim", within=60)
    page.keyboard.press("ArrowDown")  # the one trim, after the empty choice
    expect(page.locator("#id_colour")).to_contain_text("珍珠白")
    tab_to(page, "#id_colour", within=3)
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_discount", within=8)
    page.keyboard.type("1000")
    expect(page.get_by_test_id("total-out-the-door")).to_contain_text("208,800.00")
    tab_to(page, "#quote-builder button[type=submit]", within=60)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/contracts/quotes/\d+/$"))
    quote = Quote.objects.select_related("current_version").get(customer=customer)
    version = quote.current_version
    assert (version.trim, version.colour, version.discount, quote.status) == (
        trim, colour, Decimal("1000.00"), QuoteStatus.APPROVED)
    assert problems == []


def test_supervisor_approves_a_discount_with_the_keyboard(live_server, page: Page, team):
    store, supervisor, consultant = team
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰")
    approval = pending_approval(make_quote(consultant, customer, discount=Decimal("5000")))
    problems: list[str] = []
    watch(page, problems)
    log_in(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/contracts/approvals/")
    assert_accessible(page)

    tab_to(page, f"a[href='/contracts/approvals/{approval.pk}/']", within=60)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/contracts/approvals/{approval.pk}/")
    assert_accessible(page)
    tab_to(page, "#id_comment", within=60)
    page.keyboard.type("同意，本月冲量")
    tab_to(page, "[data-testid=decide-approve]", within=3)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/contracts/approvals/")
    approval = ApprovalRequest.objects.get(pk=approval.pk)
    assert (approval.status, approval.decided_by, approval.comment) == (
        ApprovalStatus.APPROVED, supervisor, "同意，本月冲量")
    assert problems == []
