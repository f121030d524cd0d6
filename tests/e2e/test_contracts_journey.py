"""Issue 5's journey: a consultant builds a quote over their discount authority, the
supervisor approves it on a phone, the consultant drafts the contract, the manager
approves it from the review queue, the customer signs, and the stored PDF (rendered by a
real Celery worker) is downloaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from contracts.enums import ApprovalStatus, ContractStatus, QuoteStatus
from contracts.models import ApprovalRequest, Contract, Payment, Quote
from dealership.celery import app
from dealership.enums import Role, Seniority
from leads.enums import LeadStatus
from tests.contracts.factories import AccessoryFactory
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

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_quote_over_limit_approved_on_a_phone_then_contract_reviewed_signed_and_downloaded(
        live_server, page: Page, new_context, tmp_path):
    base = live_server.url
    store = StoreFactory(code="DEMO", name="示范店", address="深圳市南山区深南大道1号")
    supervisor = UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store)
    team = TeamFactory(store=store, name="一组", supervisor=supervisor)
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                             team=team, seniority=Seniority.SENIOR)
    UserFactory(username="mgr", name="周经理", role=Role.MANAGER, store=store)
    trim = TrimFactory(name="2.5L 豪华版", msrp=Decimal("209800.00"))
    colour = ColourFactory(series=trim.series, name="珍珠白")
    mats = AccessoryFactory(store=store, name="全车脚垫", price=Decimal("680.00"))
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰",
                               phone="+8613812345678", id_number="11010519491231002X",
                               address="深圳市福田区福华路8号")
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    problems: list[str] = []
    watch(page, problems, timeout_ms=20_000)

    # 1. The consultant builds a quote with a ¥5,000 discount: over their ¥3,000.
    log_in(page, base, "con")
    page.goto(f"{base}/contracts/quotes/new/?customer={customer.pk}&lead={lead.pk}")
    assert_accessible(page)
    page.locator("#id_trim").select_option(str(trim.pk))
    expect(page.locator("#id_colour")).to_contain_text("珍珠白")
    page.locator("#id_colour").select_option(str(colour.pk))
    page.locator(f"#id_acc_{mats.pk}").fill("1")
    page.locator("#id_discount").fill("5000")
    expect(page.get_by_test_id("total-out-the-door")).to_have_text("¥205,480.00")
    expect(page.get_by_test_id("quote-tier")).to_have_class(re.compile("quote-tier-supervisor"))
    page.locator("#quote-builder button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/contracts/quotes/\d+/$"))
    assert_accessible(page)
    quote = Quote.objects.get(customer=customer)
    assert quote.status == QuoteStatus.PENDING
    approval = ApprovalRequest.objects.get(quote=quote)
    assert approval.tier == "supervisor"
    assert approval.discount == Decimal("5000.00")

    # 2. The supervisor approves it on a phone: the inbox card, then Approve.
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(phone, problems, timeout_ms=20_000)
    log_in(phone, base, "sup")
    phone.goto(f"{base}/contracts/approvals/")
    assert_accessible(phone)
    phone.locator(f"a[href='/contracts/approvals/{approval.pk}/']").first.click()
    expect(phone.get_by_test_id("approval-discount")).to_have_text("¥5,000.00")
    phone.get_by_test_id("decide-approve").click()
    expect(phone).to_have_url(f"{base}/contracts/approvals/")
    assert_accessible(phone)
    expect(phone.get_by_role("status")).to_contain_text("¥5,000.00")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.decided_by == supervisor
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED

    # 3. The consultant drafts the contract, completes it and sends it for review.
    page.goto(f"{base}/contracts/quotes/{quote.pk}/")
    assert_accessible(page)
    page.get_by_test_id("draft-contract").click()
    expect(page).to_have_url(re.compile(r"/contracts/\d+/edit/$"))
    assert_accessible(page)
    contract = Contract.objects.get(quote=quote)
    page.locator("#id_deposit_amount").fill("5000")
    page.locator("#id_promised_delivery_date").fill(
        f"{store.today() + dt.timedelta(days=14):%Y-%m-%d}")
    page.locator("#contract-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    assert_accessible(page)
    page.locator(f"form[action='/contracts/{contract.pk}/submit/'] button").click()
    expect(page.get_by_test_id("contract-status")).to_have_class(re.compile("contract-in_review"))

    # 4. The manager approves it from the review queue.
    desk = new_context().new_page()
    watch(desk, problems, timeout_ms=20_000)
    log_in(desk, base, "mgr")
    desk.goto(f"{base}/contracts/review/")
    assert_accessible(desk)
    row = desk.locator(f"#review-row-{contract.pk}")
    row.locator(".review-approve").click()
    expect(row).to_have_class(re.compile("review-row-done"))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED

    # 5. The customer signs and pays the deposit; a real worker renders the PDF once.
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):
        page.goto(f"{base}/contracts/{contract.pk}/")
        assert_accessible(page)
        page.locator("#id_customer_signed").check()
        page.locator("#id_deposit_channel").select_option("wechat_pay")
        page.locator("#id_receipt_number").fill("WX-20261122-0001")
        page.locator(f"form[action='/contracts/{contract.pk}/sign/'] button").click()
        expect(page.get_by_test_id("contract-status")).to_have_class(
            re.compile("contract-signed"))
        page.reload()
        expect(page.get_by_test_id("document-download")).to_be_visible(timeout=60_000)

    contract.refresh_from_db()
    year = store.today().year
    assert contract.number == f"DEMO-{year}-000001"
    assert contract.signed_by == consultant
    deposit = Payment.objects.get(contract=contract)
    assert (deposit.amount, deposit.receipt_number, deposit.confirmed_at) == (
        Decimal("5000.00"), "WX-20261122-0001", None)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON

    # 6. The PDF downloaded is the stored one, byte for byte.
    with page.expect_download() as download_info:
        page.get_by_test_id("document-download").click()
    saved = tmp_path / "contract.pdf"
    download_info.value.save_as(saved)
    body = saved.read_bytes()
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == contract.document.sha256
    assert download_info.value.suggested_filename == f"{contract.number}.pdf"
    assert problems == []
