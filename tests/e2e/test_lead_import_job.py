"""Issue 14, items 14 and 15 in the browser, on a phone (390×844): marketing uploads a lead
CSV, watches the progress page poll until the job has run, and downloads the error report;
a manager settles a message stuck in "sending" from the Messages page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dealership.enums import Role
from leads.enums import MessageStatus
from leads.models import ImportBatch, Lead, OutboundMessage
from leads.services.imports import import_batch_run
from tests.e2e.helpers import assert_accessible, assert_fits, log_in, watch
from tests.factories import CustomerFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CSV = ("name,phone,channel\r\n张伟,13812345678,website\r\n李娜,12345,website\r\n"
       "王五,13900001111,website\r\n")


def test_lead_upload_runs_in_the_background_and_reports(live_server, page: Page, tmp_path):
    base = live_server.url
    store = StoreFactory(code="E2E", name="展厅店")
    UserFactory(username="mkt", role=Role.MARKETING, store=store, language="en")
    UserFactory(username="c1", role=Role.CONSULTANT, store=store, language="en")
    upload = tmp_path / "leads.csv"
    upload.write_bytes(CSV.encode())
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(PHONE)

    log_in(page, base, "mkt")
    page.goto(f"{base}/leads/import/")
    assert_accessible(page)
    assert_fits(page, 390)
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()

    batch = ImportBatch.objects.get()
    expect(page).to_have_url(f"{base}/leads/import/{batch.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("Queued")
    assert Lead.objects.count() == 0  # the request imported nothing
    assert_accessible(page)
    assert_fits(page, 390)

    import_batch_run(batch_id=batch.pk)  # what the worker does

    # The progress section polls every 2 s; once finished, the page reloads with the report.
    expect(page.get_by_test_id("status")).to_have_text("Imported", timeout=10_000)
    expect(page.get_by_test_id("imported")).to_have_text("2")
    expect(page.get_by_test_id("errors")).to_have_text("1")
    expect(page.locator("#import-rows tbody tr")).to_have_count(3)
    assert_accessible(page)
    assert_fits(page, 390)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    text = download.value.path().read_bytes().decode("utf-8")
    assert text == "\ufeffRow,Reason\r\n3,Invalid phone number.\r\n"
    page.screenshot(path=str(SCREENSHOTS / "lead-import-phone.png"), full_page=True)
    assert problems == []


def test_manager_marks_a_stuck_message_sent_on_a_phone(live_server, page: Page):
    base = live_server.url
    store = StoreFactory(code="E2E", name="展厅店")
    UserFactory(username="mgr", role=Role.MANAGER, store=store, language="en")
    now = timezone.now()
    customer = CustomerFactory(store=store, name="张三丰", marketing_consent=True,
                               consent_at=now)
    message = OutboundMessage.objects.create(
        store_id=store.pk, customer=customer, purpose="reactivation", body="您好",
        dedupe_key="e2e-1", status=MessageStatus.SENDING, attempts=1,
        created_at=now - dt.timedelta(minutes=30), claimed_at=now - dt.timedelta(minutes=20),
        error="unknown outcome: timed out")
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(PHONE)

    log_in(page, base, "mgr")
    page.goto(f"{base}/leads/messages/?stuck=on")
    row = page.locator(f"#message-{message.pk}")
    # The development gateway reports what it was handed as delivered: only "mark sent".
    expect(row.get_by_test_id("delivery-report")).to_have_text(
        "The gateway reports it delivered")
    expect(row.get_by_role("button", name="Send again")).to_have_count(0)
    assert_accessible(page)
    assert_fits(page, 390)
    row.get_by_role("button", name="Mark as sent").click()

    expect(row.locator(".badge")).to_have_text("Sent")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert problems == []
