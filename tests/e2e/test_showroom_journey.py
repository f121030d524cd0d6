"""Issue 4's journey: the receptionist registers a returning customer, who goes to their own
consultant rather than the next in the queue; that consultant books and runs a test drive,
records the feedback and closes the visit with the needs analysis."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dealership.enums import Powertrain, Role, Seniority
from leads.enums import LeadStatus
from leads.models import Lead, LeadEvent, Notification
from showroom.enums import DutyState, LeadEventKind, Usage, VisitOutcome
from showroom.enums import TestDriveStatus as DriveStatus
from showroom.models import DutyShift, Visit
from showroom.models import TestDrive as Drive
from tests.e2e.helpers import assert_accessible, log_in, open_menu_item, watch
from tests.factories import (
    CustomerFactory,
    StoreFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)
from tests.leads.factories import LeadFactory
from tests.showroom.factories import DemoVehicleFactory, DutyShiftFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPENS, CLOSES = dt.time(6, 0), dt.time(23, 30)
SLOT = dt.timedelta(minutes=30)


def midday_zone() -> str:
    """A fixed-offset time zone where it is now between 10:00 and 13:59, so the drive booked
    an hour ahead falls on today, the only day it may start, whenever the suite runs."""
    utc_hour = timezone.now().astimezone(dt.UTC).hour
    offset = (12 - utc_hour + 12) % 24 - 12  # -12 … +11 hours from UTC
    # POSIX sign convention: "Etc/GMT-8" is eight hours *ahead* of UTC.
    return "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def drive_slot(store) -> dt.datetime:
    """The first grid slot at least an hour ahead inside today's opening hours, or
    tomorrow 10:00 when today has none left."""
    now = timezone.localtime(timezone.now(), store.tzinfo)
    today = now.date()
    soon = now + dt.timedelta(hours=1)
    slot = soon.replace(minute=0, second=0, microsecond=0)
    while slot < soon:
        slot += SLOT
    slot = max(slot, dt.datetime.combine(today, OPENS, tzinfo=store.tzinfo))
    if slot.date() != today or slot + SLOT > dt.datetime.combine(today, CLOSES,
                                                                   tzinfo=store.tzinfo):
        slot = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(10, 0),
                                   tzinfo=store.tzinfo)
    return slot


def arrival(store) -> dt.datetime:
    """Arrived up to 45 minutes ago, but today (store time), to the minute."""
    now = timezone.localtime(timezone.now(), store.tzinfo).replace(second=0, microsecond=0)
    midnight = now.replace(hour=0, minute=0)
    return max(now - dt.timedelta(minutes=45), midnight)


def test_returning_customer_routed_to_their_consultant_test_drive_then_visit_closed(
        live_server, page: Page, new_context):
    base = live_server.url
    # Open nearly round the clock, so a slot later today exists whenever the test runs.
    store = StoreFactory(code="E2E", name="展厅店", opens_at=OPENS, closes_at=CLOSES,
                         timezone=midday_zone())
    supervisor = UserFactory(username="zhao", name="赵主管", role=Role.SUPERVISOR, store=store,
                             language="en")
    team = TeamFactory(store=store, name="销售一组", supervisor=supervisor)
    # English interface: the assertions read the msgids, whatever the translations say.
    owner = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT, store=store,
                        team=team, seniority=Seniority.SENIOR, language="en")
    next_up = UserFactory(username="liqiang", name="李强", role=Role.CONSULTANT, store=store,
                          team=team, seniority=Seniority.JUNIOR, language="en")
    UserFactory(username="desk", name="陈前台", role=Role.RECEPTIONIST, store=store,
                language="en")
    customer = CustomerFactory(store=store, owner=owner, name="张三丰",
                               phone="+8613812345678")
    lead = LeadFactory(store=store, owner=owner, customer=customer,
                       status=LeadStatus.CONTACTED)
    today = timezone.localdate(timezone=store.tzinfo)
    # 李强 is next in the queue; 王芳 second.
    DutyShiftFactory(store=store, date=today, consultant=next_up, position=1)
    DutyShiftFactory(store=store, date=today, consultant=owner, position=2)
    vehicle = DemoVehicleFactory(store=store, trim=TrimFactory(name="2.0HS 豪华版"))
    slot = drive_slot(store)
    arrived = arrival(store)
    problems: list[str] = []
    watch(page, problems)

    # 1. The receptionist registers the returning customer by phone.
    log_in(page, base, "desk")
    expect(page).to_have_url(f"{base}/showroom/desk/")
    assert_accessible(page)
    expect(page.get_by_test_id("queue-waiting").first).to_contain_text("李强")
    page.get_by_test_id("register-walk-in").click()
    expect(page).to_have_url(f"{base}/showroom/walk-in/")
    assert_accessible(page)
    page.get_by_label("Arrived").fill(f"{arrived:%Y-%m-%dT%H:%M}")
    page.get_by_label("Party size").fill("2")
    page.get_by_label("Returning").check()
    page.get_by_label("Mobile phone").fill("138 1234 5678")
    page.get_by_role("button", name="Register and assign").click()

    # 2. Routed to 王芳, their consultant, not to 李强 who was next.
    expect(page).to_have_url(f"{base}/showroom/desk/")
    assert_accessible(page)
    expect(page.locator(".messages")).to_contain_text(
        "Returning customer: 王芳, their consultant, was notified.")
    expect(page.get_by_test_id("queue-busy")).to_have_count(1)
    expect(page.get_by_test_id("queue-busy")).to_contain_text("王芳")
    expect(page.get_by_test_id("queue-waiting")).to_have_count(1)
    expect(page.get_by_test_id("queue-waiting")).to_contain_text("李强")
    row = page.get_by_test_id("visit-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("visitor")).to_have_text("张三丰 · 138****5678")
    expect(row).to_contain_text("Returning")
    expect(row).to_contain_text("王芳")
    expect(row).to_contain_text("In the showroom")
    assert "13812345678" not in page.content()  # the desk never shows a full number
    visit = Visit.objects.get()
    assert (visit.consultant, visit.routed_by, visit.lead, visit.customer, visit.party_size,
            visit.first_visit, visit.arrived_at) == (owner, "customer", lead, customer, 2,
                                                     False, arrived)
    assert {s.consultant_id: s.state for s in DutyShift.objects.all()} == {
        owner.pk: DutyState.WITH_CUSTOMER, next_up.pk: DutyState.AVAILABLE}
    assert list(Notification.objects.values_list("user", "lead", "kind")) == [
        (owner.pk, lead.pk, LeadEventKind.VISIT)]

    # 3. 王芳 logs in on her own tablet and finds the customer on "my day".
    consultant_page = new_context().new_page()
    watch(consultant_page, problems)
    log_in(consultant_page, base, "wangfang")
    expect(consultant_page).to_have_url(f"{base}/my-day/")
    assert_accessible(consultant_page)
    showroom_today = consultant_page.get_by_test_id("showroom-today")
    expect(showroom_today).to_contain_text("In the showroom now")
    expect(showroom_today).to_contain_text("张三丰 · 138****5678")
    showroom_today.get_by_role("link", name="Close the visit").click()
    expect(consultant_page).to_have_url(f"{base}/showroom/visits/{visit.pk}/")
    assert_accessible(consultant_page)
    expect(consultant_page.get_by_test_id("visit-consultant")).to_have_text("王芳")
    expect(consultant_page.locator("#visit-facts")).to_contain_text(
        "The customer's own consultant")

    # 4. She books the demo car on a free slot from the calendar.
    open_menu_item(consultant_page, "Test drives")
    expect(consultant_page).to_have_url(f"{base}/showroom/test-drives/")
    assert_accessible(consultant_page)
    if slot.date() != today:
        consultant_page.get_by_role("link", name="Next day").click()
        expect(consultant_page.locator("#calendar-heading")).to_contain_text(
            f"{slot:%Y-%m-%d}")
    consultant_page.get_by_role("link", name=f"Book {slot:%Y-%m-%d} {slot:%H:%M}").click()
    expect(consultant_page).to_have_url(re.compile(r"/showroom/test-drives/new/\?"))
    assert_accessible(consultant_page)
    form = consultant_page.locator("#booking-form")
    expect(form.get_by_label("Demo vehicle")).to_have_value(str(vehicle.pk))
    expect(form.get_by_label("Day")).to_have_value(f"{slot:%Y-%m-%d}")
    expect(form.get_by_label("Slot")).to_have_value(f"{slot:%H:%M}")
    form.get_by_label("Customer's mobile phone").fill("138 1234 5678")
    form.get_by_label("Lead").select_option(str(lead.pk))
    form.get_by_label("Driving licence number").fill("4403 0119 9001 0112 34")
    form.get_by_label("Licence valid until").fill(f"{today + dt.timedelta(days=900):%Y-%m-%d}")
    form.get_by_label("accepts the test-drive agreement").check()
    form.get_by_role("button", name="Book", exact=True).click()

    drive_url = re.compile(rf"{re.escape(base)}/showroom/test-drives/\d+/$")
    expect(consultant_page).to_have_url(drive_url)
    assert_accessible(consultant_page)
    drive = Drive.objects.get()
    assert consultant_page.url == f"{base}/showroom/test-drives/{drive.pk}/"
    expect(consultant_page.locator(".messages")).to_contain_text("Test drive booked.")
    expect(consultant_page.get_by_test_id("test-drive-customer")).to_contain_text(
        "张三丰 · 138****5678")
    status = consultant_page.get_by_test_id("test-drive-status")
    expect(status).to_have_text("Booked")

    # 5. Start, finish and feedback, each swapped in place by htmx.
    panel = consultant_page.locator("#test-drive-panel")
    panel.get_by_label("Odometer at start (km)").fill("1200")
    panel.get_by_role("button", name="Start the drive").click()
    expect(panel.locator(".notice")).to_have_text("The test drive started.")
    expect(status).to_have_text("On the road")
    panel.get_by_label("Odometer at end (km)").fill("1218")
    panel.get_by_role("button", name="Finish the drive").click()
    expect(panel.locator(".notice")).to_have_text("The test drive is done.")
    expect(status).to_have_text("Done")
    panel.get_by_label("Overall").select_option("5")
    panel.get_by_label("Handling").select_option("4")
    panel.get_by_label("Comfort").select_option("4")
    panel.get_by_label("What the customer said").fill("动力平顺，后排略窄")
    panel.get_by_role("button", name="Save feedback").click()
    expect(panel.locator(".notice")).to_have_text("Feedback saved.")
    expect(panel.get_by_test_id("test-drive-ratings")).to_have_text(
        "overall 5/5 · handling 4/5 · comfort 4/5")
    expect(panel).to_contain_text("动力平顺，后排略窄")
    assert consultant_page.url == f"{base}/showroom/test-drives/{drive.pk}/"  # htmx did it

    # 6. Back to the visit: the needs analysis and the outcome close it.
    consultant_page.goto(f"{base}/my-day/")
    assert_accessible(consultant_page)
    consultant_page.get_by_test_id("showroom-today").get_by_role(
        "link", name="Close the visit").click()
    expect(consultant_page).to_have_url(f"{base}/showroom/visits/{visit.pk}/")
    assert_accessible(consultant_page)
    close = consultant_page.locator("#close-form")
    close.get_by_label("Usage").select_option(Usage.FAMILY)
    close.get_by_label("Budget from (CNY)").fill("200000")
    close.get_by_label("Budget up to (CNY)").fill("250000")
    close.get_by_label("Powertrain").select_option(Powertrain.HEV)
    close.get_by_label("Seats").fill("5")
    close.get_by_label("Competitors considered").fill("本田雅阁")
    close.get_by_label("Cash or loan").select_option("loan")
    close.get_by_label("丰田 凯美瑞").check()
    close.get_by_label("Outcome").select_option(VisitOutcome.TEST_DRIVE)
    close.get_by_role("button", name="Customer left: close the visit").click()

    expect(consultant_page).to_have_url(f"{base}/showroom/visits/{visit.pk}/")
    assert_accessible(consultant_page)
    visit.refresh_from_db()
    minutes = int(visit.duration.total_seconds() // 60)
    departed = timezone.localtime(visit.departed_at, store.tzinfo)
    expect(consultant_page.locator(".messages")).to_have_text(
        f"Visit closed after {minutes} minutes.")
    facts = consultant_page.locator("#visit-facts")
    expect(facts.get_by_test_id("visit-duration")).to_contain_text(f"left {departed:%H:%M} · ")
    expect(facts.get_by_test_id("visit-outcome")).to_have_text("Test drive booked or done")
    expect(facts).to_contain_text("Hybrid (HEV)")
    expect(facts).to_contain_text("本田雅阁")
    expect(consultant_page.locator("#close-form")).to_have_count(0)

    # 7. The lead's timeline tells the story: the visit and the test drive.
    facts.get_by_role("link", name=f"#{lead.pk} · Test driven").click()
    expect(consultant_page).to_have_url(f"{base}/leads/{lead.pk}/")
    assert_accessible(consultant_page)
    expect(consultant_page.locator("#lead-facts .status-badge")).to_have_text("Test driven")
    titles = consultant_page.locator("#timeline .event-title")
    expect(titles.filter(has_text="Showroom visit")).to_have_count(1)
    expect(titles.filter(has_text="Test drive")).to_have_count(2)  # booked, done
    expect(consultant_page.locator("#timeline")).to_contain_text("Test driven")

    # 8. The desk sees 王芳 back in the queue, behind 李强, and the visit's duration.
    page.reload()
    expect(page.get_by_test_id("queue-busy")).to_have_count(0)
    waiting = page.get_by_test_id("queue-waiting")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text("李强")
    expect(waiting.nth(1)).to_contain_text("王芳")
    expect(page.get_by_test_id("visit-row").get_by_test_id("visit-duration")).to_contain_text(
        f"left {departed:%H:%M}")

    # And the database agrees.
    drive.refresh_from_db()
    assert (drive.status, drive.vehicle, drive.slot_start, drive.customer, drive.lead,
            drive.consultant, drive.licence_number, drive.agreement_version) == (
        DriveStatus.DONE, vehicle, slot, customer, lead, owner, "440301199001011234",
        "2026-01")
    assert drive.agreement_accepted_at is not None
    assert (drive.odometer_start, drive.odometer_end, drive.rating_overall,
            drive.rating_handling, drive.rating_comfort, drive.feedback) == (
        1200, 1218, 5, 4, 4, "动力平顺，后排略窄")
    assert drive.started_at <= drive.finished_at
    assert (visit.arrived_at, visit.outcome, visit.usage, visit.budget_min, visit.budget_max,
            visit.powertrain, visit.seats, visit.competitors, visit.payment) == (
        arrived, VisitOutcome.TEST_DRIVE, Usage.FAMILY, 200000, 250000, Powertrain.HEV, 5,
        "本田雅阁", "loan")
    assert visit.duration > dt.timedelta(0)
    assert [str(s) for s in visit.models_presented.all()] == ["丰田 凯美瑞"]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.TEST_DRIVEN
    kinds = list(LeadEvent.objects.filter(lead=lead, kind__in=(
        LeadEventKind.VISIT, LeadEventKind.TEST_DRIVE)).order_by("created_at", "pk")
        .values_list("kind", "data__step"))
    assert kinds == [(LeadEventKind.TEST_DRIVE, "booked"), (LeadEventKind.TEST_DRIVE, "done"),
                     (LeadEventKind.VISIT, None)]
    assert Lead.objects.count() == 1
    shift = DutyShift.objects.get(consultant=owner)
    assert (shift.state, shift.position) == (DutyState.AVAILABLE, 3)
    assert problems == []
