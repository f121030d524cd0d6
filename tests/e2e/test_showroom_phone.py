"""The showroom on a phone (issue 14, items 4 and 6): the receptionist registers a
returning customer whose consultant is busy and hands them to the next in the queue; the
test-drive day calendar fits a 360 and a 390 px wide screen for every role that opens it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dealership.enums import Role
from leads.models import Notification
from showroom.enums import DutyState, VisitOutcome
from showroom.models import DutyShift, Visit
from tests.e2e.helpers import assert_accessible, assert_fits, log_in, sign_in_as, watch, wider_than
from tests.factories import CustomerFactory, StoreFactory, TrimFactory, UserFactory
from tests.showroom.factories import DemoVehicleFactory, DutyShiftFactory, VisitFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _arrival(store) -> dt.datetime:
    now = timezone.localtime(timezone.now(), store.tzinfo).replace(second=0, microsecond=0)
    return max(now - dt.timedelta(minutes=10), now.replace(hour=0, minute=0))


def test_receptionist_on_a_phone_hands_a_returning_customer_to_the_next_in_queue(
        live_server, page: Page):
    base = live_server.url
    store = StoreFactory(code="PH1", name="手机店")
    owner = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT, store=store)
    next_up = UserFactory(username="liqiang", name="李强", role=Role.CONSULTANT, store=store)
    UserFactory(username="desk", name="陈前台", role=Role.RECEPTIONIST, store=store,
                language="en")
    customer = CustomerFactory(store=store, owner=owner, name="张三丰",
                               phone="+8613812345678")
    today = timezone.localdate(timezone=store.tzinfo)
    busy_since = timezone.now() - dt.timedelta(minutes=30)
    DutyShiftFactory(store=store, date=today, consultant=owner, position=1,
                     state=DutyState.WITH_CUSTOMER, state_since=busy_since)
    DutyShiftFactory(store=store, date=today, consultant=next_up, position=2)
    first = VisitFactory(store=store, consultant=owner, arrived_at=busy_since)
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(PHONE)

    log_in(page, base, "desk")
    expect(page).to_have_url(f"{base}/showroom/desk/")
    page.get_by_test_id("register-walk-in").click()
    expect(page).to_have_url(f"{base}/showroom/walk-in/")
    assert_fits(page, 390)
    assert_accessible(page)

    # A return without a phone is refused, with what to do.
    page.get_by_label("Arrived").fill(f"{_arrival(store):%Y-%m-%dT%H:%M}")
    page.get_by_label("Party size").fill("2")
    page.get_by_label("Returning").check()
    page.get_by_test_id("walk-in-submit").click()
    expect(page.locator(".field-invalid")).to_contain_text(
        "A returning customer: ask for their mobile number, or find them by name.")

    # Found by name: the masked number, and their consultant.
    page.get_by_label("Search the customers").fill("张三")
    page.get_by_role("button", name="Find", exact=True).click()
    result = page.get_by_test_id("customer-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("138****5678")
    result.get_by_role("link").click()
    expect(page.get_by_test_id("picked-customer")).to_contain_text("张三丰 · 138****5678")
    assert "13812345678" not in page.content()
    page.get_by_label("Arrived").fill(f"{_arrival(store):%Y-%m-%dT%H:%M}")
    page.get_by_test_id("walk-in-submit").click()

    # 王芳 is busy: the receptionist is told and chooses the next in the queue.
    expect(page.locator(".field-invalid")).to_contain_text(
        "王芳, this customer's consultant, has been with another customer since")
    assert_fits(page, 390)
    assert_accessible(page)
    assert Visit.objects.count() == 1
    page.get_by_label("Hand them to the next in the queue").check()
    page.get_by_test_id("walk-in-submit").click()

    expect(page).to_have_url(f"{base}/showroom/desk/")
    expect(page.locator(".messages")).to_contain_text("Visitor registered; 李强 serves them.")
    expect(page.get_by_test_id("queue-busy")).to_have_count(2)
    assert_fits(page, 390)
    assert_accessible(page)
    visit = Visit.objects.exclude(pk=first.pk).get()
    assert (visit.consultant, visit.customer, visit.first_visit) == (next_up, customer, False)
    shifts = {s.consultant_id: (s.state, s.state_since) for s in DutyShift.objects.all()}
    assert shifts[owner.pk] == (DutyState.WITH_CUSTOMER, busy_since)  # not overwritten
    assert shifts[next_up.pk][0] == DutyState.WITH_CUSTOMER
    assert list(Notification.objects.values_list("user_id", flat=True)) == [owner.pk]
    assert problems == []


@pytest.mark.parametrize("width", [360, 390])
def test_test_drive_calendar_fits_a_phone_for_every_role(live_server, page: Page, width):
    base = live_server.url
    store = StoreFactory(code="PH2", name="手机店")
    consultant = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT,
                             store=store)
    users = [consultant,
             UserFactory(username="boss", name="刘经理", role=Role.MANAGER, store=store),
             UserFactory(username="desk", name="陈前台", role=Role.RECEPTIONIST, store=store)]
    for trim in ("2.0HS 豪华版加长名称", "2.5L 四驱旗舰版"):
        DemoVehicleFactory(store=store, trim=TrimFactory(name=trim))
    DriveFactory(store=store, consultant=consultant)  # tomorrow 10:00
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": width, "height": 844})

    tomorrow = timezone.localdate(timezone=store.tzinfo) + dt.timedelta(days=1)
    for user in users:
        sign_in_as(page, base, user)
        for day in ("", f"?day={tomorrow:%Y-%m-%d}"):
            page.goto(f"{base}/showroom/test-drives/{day}")
            expect(page.get_by_test_id("calendar-day")).to_be_visible()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (user.role, wider_than(page, width))
            assert_accessible(page)
    assert problems == []


def test_consultant_closes_a_visit_on_a_phone_with_the_grouped_form(live_server, page: Page):
    base = live_server.url
    store = StoreFactory(code="PH3", name="手机店")
    consultant = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT,
                             store=store, language="en")
    visit = VisitFactory(store=store, consultant=consultant,
                         arrived_at=_arrival(store))
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(PHONE)

    log_in(page, base, "wangfang")
    page.goto(f"{base}/showroom/visits/{visit.pk}/")
    close = page.locator("#close-form")
    # Outcome first; the needs analysis open until the outcome says otherwise; the rest
    # folded.
    expect(close.locator("fieldset").first).to_contain_text("How the visit ended")
    expect(close.get_by_test_id("close-needs")).to_have_attribute("open", "")
    expect(close.get_by_test_id("close-more")).not_to_have_attribute("open", "")
    assert_fits(page, 390)
    assert_accessible(page)
    close.get_by_label("Note").fill("只是路过看看")
    close.get_by_label("Outcome").select_option(VisitOutcome.BROWSING)
    # Re-rendered by htmx: the needs folded, the note kept.
    expect(close.get_by_test_id("close-needs")).not_to_have_attribute("open", "")
    expect(close.get_by_label("Note")).to_have_value("只是路过看看")
    close.get_by_role("button", name="Customer left: close the visit").click()

    expect(page.locator(".messages")).to_contain_text("Visit closed after")
    visit.refresh_from_db()
    assert (visit.outcome, visit.note, visit.usage) == (VisitOutcome.BROWSING, "只是路过看看", "")
    assert_fits(page, 390)
    assert problems == []
