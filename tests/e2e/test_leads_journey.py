"""A new online lead, overdue, followed up with htmx, leaves the overdue lists; the
supervisor then finds it through the team board."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dealership.enums import Role, Seniority
from leads.enums import LeadStatus
from leads.models import Lead, LostRequest
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import TeamFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_lead_overdue_followed_up_then_seen_by_the_supervisor(live_server, page: Page,
                                                                  store):
    base = live_server.url
    # English interface: the assertions read the msgids, whatever the translations say.
    supervisor = UserFactory(username="zhao", name="赵主管", role=Role.SUPERVISOR,
                             store=store, language="en")
    team = TeamFactory(store=store, name="销售一组", supervisor=supervisor)
    consultant = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT,
                             store=store, team=team, seniority=Seniority.SENIOR, language="en")
    teammate = UserFactory(username="liqiang", name="李强", role=Role.CONSULTANT, store=store,
                           team=team, seniority=Seniority.JUNIOR, language="en")
    LeadFactory(store=store, owner=teammate, customer__name="张三丰",
                customer__phone="+8613812345678")
    problems: list[str] = []
    # Script errors and CSP violations (an inline style or script) would show here; the
    # browser's own "Failed to load resource" line for the refused form's 400 is expected.
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None)
    page.set_default_timeout(15_000)

    # 1. The consultant captures a website enquiry with the quick form.
    log_in(page, base, "wangfang")
    expect(page).to_have_url(f"{base}/my-day/")
    assert_accessible(page)
    page.goto(f"{base}/leads/new/")
    assert_accessible(page)
    phone = page.get_by_label("Mobile phone")
    check = page.get_by_test_id("phone-check")
    phone.fill("138 1234 5678")  # a teammate's customer: only the teammate is named
    expect(check).to_contain_text("Already a customer, served by 李强.")
    expect(check).not_to_contain_text("张三丰")
    phone.fill("139 8765 4321")
    expect(check).to_have_class(re.compile(r"\bphone-check-new\b"))
    expect(check).to_contain_text("New customer for this store.")
    page.get_by_label("Customer name").fill("刘备")
    page.get_by_label("Channel").select_option("website")
    page.get_by_label("Plans to buy").select_option("1m")
    page.get_by_label("Model of interest").fill("凯美瑞")
    page.get_by_role("button", name="Save lead").click()

    lead = Lead.objects.get(customer__name="刘备")
    expect(page).to_have_url(f"{base}/leads/{lead.pk}/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("刘备")
    expect(page.get_by_text("Lead for 刘备 saved; it is yours.")).to_be_visible()
    assert (lead.owner, lead.status, lead.customer.phone) == (
        consultant, LeadStatus.NEW, "+8613987654321")

    # 2. Nobody called within the first-contact hour: the lead is overdue.
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(created_at=now - dt.timedelta(hours=2),
                                           follow_up_due_at=now - dt.timedelta(hours=1))
    page.goto(f"{base}/leads/?overdue=yes")
    assert_accessible(page)
    row = page.locator(f"#lead-row-{lead.pk}")
    expect(row).to_contain_text("刘备")
    expect(row).to_contain_text("139****4321")
    expect(row.get_by_test_id("overdue")).to_be_visible()
    page.goto(f"{base}/my-day/")
    assert_accessible(page)
    expect(page.get_by_test_id("overdue-count")).to_have_text("1")
    expect(page.get_by_test_id("overdue-list").get_by_role("link", name="刘备")).to_be_visible()

    # 3. The follow-up is logged on the detail page; htmx refreshes the other panels.
    page.get_by_test_id("overdue-list").get_by_role("link", name="刘备").click()
    expect(page).to_have_url(f"{base}/leads/{lead.pk}/")
    assert_accessible(page)
    expect(page.locator("#lead-facts").get_by_test_id("overdue")).to_be_visible()
    form = page.get_by_test_id("touch-form")
    form.get_by_label("How").select_option("call")
    form.get_by_label("Outcome").select_option("appointment")
    form.get_by_label("Notes").fill("约好周六来店试驾")
    form.get_by_label("Next follow-up").fill(
        (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Log follow-up").click()

    expect(page.locator("#follow-up-form .notice")).to_have_text("Follow-up logged.")
    expect(page.locator("#timeline")).to_contain_text("约好周六来店试驾")
    expect(page.locator("#lead-facts .status-badge")).to_have_text("Contacted")
    expect(page.locator("#lead-facts").get_by_test_id("overdue")).to_have_count(0)
    assert page.url == f"{base}/leads/{lead.pk}/"  # no page load: htmx did it

    # A refused htmx form comes back in place with the reason (400 is swapped in).
    lost = page.locator("#lost-panel")
    lost.get_by_label("Reason").select_option("other")
    lost.get_by_role("button", name="Ask to close as lost").click()
    expect(page.locator("#lost-panel .error")).to_have_text(
        "Describe the reason when you choose “other”.")
    assert not LostRequest.objects.exists()

    # 4. The lead has left the overdue lists.
    page.goto(f"{base}/leads/?overdue=yes")
    assert_accessible(page)
    expect(page.locator(f"#lead-row-{lead.pk}")).to_have_count(0)
    expect(page.get_by_text("No lead matches these filters.")).to_be_visible()
    page.goto(f"{base}/my-day/")
    assert_accessible(page)
    expect(page.get_by_test_id("overdue-count")).to_have_text("0")
    expect(page.get_by_test_id("overdue-list")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    # 5. The supervisor sees the consultant and their lead from the team board.
    log_in(page, base, "zhao")
    expect(page).to_have_url(f"{base}/leads/board/")
    assert_accessible(page)
    member = page.get_by_test_id(f"member-{consultant.pk}")
    expect(member).to_contain_text("王芳")
    expect(member.get_by_test_id("open")).to_have_text("1")
    expect(member.get_by_test_id("overdue")).to_have_text("0")
    member.get_by_role("link", name="王芳").click()
    expect(page).to_have_url(f"{base}/leads/?owner={consultant.pk}")
    assert_accessible(page)
    lead_link = page.locator(f'#lead-row-{lead.pk} a[href="/leads/{lead.pk}/"]')
    expect(lead_link).to_have_text("刘备")
    lead_link.click()
    expect(page.locator("#lead-facts").get_by_test_id("lead-owner")).to_have_text("王芳")
    expect(page.locator("#timeline")).to_contain_text("约好周六来店试驾")
    assert problems == []
