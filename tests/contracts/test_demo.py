"""seed_demo's money stage (contracts.demo.seed_contracts): the catalogue around the car,
quotes and approvals in every state, contracts in every state over the last 90 days,
the signed ones with their stored PDFs.

The small demo is seeded once for the module (it renders 16 PDFs), in a transaction
rolled back when the module ends; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from contracts.demo import renumber
from contracts.enums import (
    ApprovalStatus,
    ApprovalTier,
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    QuoteStatus,
)
from contracts.models import (
    Accessory,
    ApprovalRequest,
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
    DiscountPolicy,
    Quote,
    QuoteVersion,
    ValuePackage,
)
from contracts.selectors_approvals import approval_inbox, approval_inbox_count
from contracts.selectors_contracts import contract_scope_for_user, review_queue_for_user
from contracts.selectors_quotes import quote_scope_for_user
from contracts.services import pricing
from dealership.enums import Role
from dealership.models import Store, User
from dealership.models.audit import AuditEntry
from delivery.enums import PaymentKind, RefundStatus
from delivery.models import Payment, RefundObligation
from leads.enums import EventKind, LeadStatus
from leads.models import LeadEvent

pytestmark = pytest.mark.django_db
SIGNED_STATES = (ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)


@pytest.fixture(scope="module")
def media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, media_root):
    """The small demo, seeded once; rolled back after the module's last test."""
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root),
          transaction.atomic()):
        call_command("seed_demo", force=True, stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded) -> Store:
    return Store.objects.get(code="DEMO")


def login(username: str) -> User:
    return User.objects.get(username=username)


# --- Catalogue and policy -----------------------------------------------------------------
def test_demo_policy_is_the_default_three_tiers(demo):
    policy = DiscountPolicy.objects.get(store=demo)

    assert (policy.consultant_limit, policy.supervisor_limit, policy.floor_pct) == (
        Decimal("3000.00"), Decimal("8000.00"), Decimal("8.00"))


def test_demo_accessories_and_packages_with_real_prices(demo):
    accessories = dict(Accessory.objects.filter(store=demo, is_active=True)
                       .values_list("name", "price"))
    packages = dict(ValuePackage.objects.filter(store=demo).values_list("name", "price"))

    assert len(accessories) == 10
    assert accessories["全车脚垫"] == Decimal("680.00")
    assert accessories["行车记录仪"] == Decimal("1280.00")
    assert accessories["隐形车衣"] == Decimal("6800.00")
    assert accessories["太阳膜"] == Decimal("2800.00")
    assert Accessory.objects.filter(store=demo, is_active=False).count() == 1
    assert packages["首保免费"] == Decimal("0.00")
    assert set(packages) >= {"首保免费", "3年6次免费保养", "洗车券20张", "延长质保2年"}


# --- Quotes and approvals -----------------------------------------------------------------
def test_demo_quotes_in_every_status(demo):
    statuses = set(Quote.objects.filter(store=demo).values_list("status", flat=True))

    assert statuses == set(QuoteStatus.values)


def test_demo_every_quote_is_of_a_consultants_own_customer(demo):
    quotes = Quote.objects.filter(store=demo).select_related("customer", "consultant", "lead")

    assert {q.consultant.role for q in quotes} == {"consultant"}
    assert [q.number for q in quotes if q.customer.owner_id != q.consultant_id] == []
    assert [q.number for q in quotes if q.lead and q.lead.customer_id != q.customer_id] == []
    assert quotes.filter(lead__isnull=False).count() >= 25
    assert len({q.consultant_id for q in quotes}) == 8


def test_demo_pending_approvals_at_both_tiers_one_below_the_floor(demo):
    pending = ApprovalRequest.objects.filter(store=demo, status=ApprovalStatus.PENDING)

    tiers = dict(pending.values_list("tier").annotate(n=Count("id")))
    assert tiers == {ApprovalTier.SUPERVISOR: 2, ApprovalTier.MANAGER: 2}
    below = pending.get(version__below_floor=True)
    assert below.tier == ApprovalTier.MANAGER
    assert below.version.floor_reason != ""
    assert pricing.is_below_floor(DiscountPolicy.objects.get(store=demo),
                                  below.version.list_price, below.discount)
    assert set(pending.values_list("quote__status", flat=True)) == {QuoteStatus.PENDING}


def test_demo_decided_approvals_of_every_kind_by_the_demo_approvers(demo):
    decided = ApprovalRequest.objects.filter(
        store=demo, status__in=(ApprovalStatus.APPROVED, ApprovalStatus.REJECTED,
                                ApprovalStatus.COUNTERED))

    assert set(decided.values_list("status", flat=True)) == {
        ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.COUNTERED}
    assert set(decided.values_list("decided_by__username", flat=True)) == {
        "supervisor", "manager"}
    assert decided.filter(comment="").count() == 0
    assert decided.filter(decided_at__lt=F("requested_at")).count() == 0
    for countered in decided.filter(status=ApprovalStatus.COUNTERED):
        assert countered.counter_discount < countered.discount
        assert countered.quote.current_version.discount == countered.counter_discount


def test_demo_negotiations_step_the_discount_up_version_by_version(demo):
    quote = (Quote.objects.filter(store=demo).annotate(n=Count("versions"))
             .filter(n__gte=3).get())
    versions = list(quote.versions.order_by("number"))

    discounts = [v.discount for v in versions]
    assert discounts == sorted(discounts) and len(set(discounts)) == 3
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)
    assert [c["field"] for c in versions[1].changes if c["field"] == "discount"] == ["discount"]
    assert ApprovalRequest.objects.filter(
        status=ApprovalStatus.SUPERSEDED, store=demo).count() >= 1


def test_demo_trade_ins_and_loan_plans_priced_by_the_formula(demo):
    versions = QuoteVersion.objects.filter(quote__store=demo)
    loans = versions.filter(payment_plan="loan")

    assert versions.filter(trade_in_value__gt=0).exclude(trade_in_appraiser="").count() >= 4
    assert loans.count() >= 8
    for version in loans:
        assert version.monthly_payment == pricing.monthly_payment(
            version.loan_principal, version.loan_annual_rate, version.loan_term_months)
        assert 0 < version.down_payment < version.amount_due


# --- Contracts ----------------------------------------------------------------------------
def test_demo_contracts_in_every_status(demo):
    counts = dict(Contract.objects.filter(store=demo).values_list("status")
                  .annotate(n=Count("id")))

    assert set(counts) == set(ContractStatus.values)
    assert counts[ContractStatus.SIGNED] == counts[ContractStatus.DELIVERED] == (
        counts[ContractStatus.CLOSED]) == 5


def test_demo_one_draft_was_sent_back_by_the_manager(demo):
    sent_back = Contract.objects.get(store=demo, status=ContractStatus.DRAFT,
                                     reviewed_by__isnull=False)

    assert sent_back.rejection_reason != ""
    assert sent_back.reviewed_by.username == "manager"
    assert list(sent_back.events.order_by("created_at", "id").values_list("kind", flat=True)) == [
        ContractEventKind.CREATED, ContractEventKind.EDITED, ContractEventKind.SUBMITTED,
        ContractEventKind.REJECTED]


def test_demo_signed_contracts_have_their_stored_pdf(demo, media_root):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False)
    documents = ContractDocument.objects.filter(contract__in=signed)

    assert signed.filter(status__in=SIGNED_STATES).count() == 15
    assert documents.count() == signed.count() == 16
    assert set(documents.values_list("status", flat=True)) == {DocumentStatus.READY}
    for document in documents:
        content = (media_root / document.file.name).read_bytes()
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert document.size == len(content)
        assert document.rendered_at > document.contract.signed_at


def test_demo_contract_numbers_are_gapless_per_year_in_signing_order(demo):
    signed = list(Contract.objects.filter(store=demo, signed_at__isnull=False)
                  .order_by("signed_at"))
    by_year: dict[int, list[int]] = defaultdict(list)

    for contract in signed:
        year = timezone.localtime(contract.signed_at, demo.tzinfo).year
        assert contract.year == year
        assert contract.number == f"DEMO-{year}-{contract.sequence:06d}"
        by_year[year].append(contract.sequence)
    assert {year: seqs for year, seqs in by_year.items()} == {
        year: list(range(1, len(seqs) + 1)) for year, seqs in by_year.items()}
    assert dict(ContractSequence.objects.filter(store=demo, last__gt=0)
                .values_list("year", "last")) == {y: len(s) for y, s in by_year.items()}


def test_demo_a_refund_is_owed_for_the_contract_cancelled_after_signing(demo):
    refund = RefundObligation.objects.get(store=demo)
    contract = refund.contract
    deposit = Payment.objects.get(contract=contract, kind=PaymentKind.DEPOSIT)

    assert contract.status == ContractStatus.CANCELLED
    assert contract.signed_at < contract.cancelled_at == refund.created_at
    assert refund.status == RefundStatus.DUE
    assert refund.amount == deposit.amount == contract.deposit_amount > 0
    assert contract.cancelled_by.username == "manager"
    assert contract.quote.status == QuoteStatus.WITHDRAWN


def test_demo_every_signing_recorded_its_deposit_at_the_moment_of_signing(demo):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False)

    for contract in signed:
        event = contract.events.get(kind=ContractEventKind.SIGNED)
        deposit = contract.payments.get(kind=PaymentKind.DEPOSIT)
        assert event.created_at == deposit.received_at == contract.signed_at
        assert event.note == contract.number
        assert contract.reviewed_by.username == "manager"


def test_demo_signed_contracts_won_their_leads_when_they_were_signed(demo):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False,
                                     lead__isnull=False).select_related("lead")

    assert signed.count() >= 14
    for contract in signed:
        assert contract.lead.status == LeadStatus.WON
        assert abs(contract.lead.closed_at - contract.signed_at) < dt.timedelta(minutes=1)
    won_today = [c for c in signed if c.lead.closed_at == c.signed_at
                 and timezone.now() - c.signed_at < dt.timedelta(days=2)]
    assert len(won_today) == 2  # these two won their open lead through the signing itself


def test_demo_contracts_spread_over_90_days_and_nothing_in_the_future(demo):
    now = timezone.now()
    signed = list(Contract.objects.filter(store=demo, signed_at__isnull=False)
                  .values_list("signed_at", flat=True))
    months = {timezone.localtime(moment, demo.tzinfo).strftime("%Y-%m") for moment in signed}

    assert min(signed) >= now - dt.timedelta(days=90)
    assert max(signed) < now
    assert len(months) >= 3
    assert Contract.objects.filter(delivered_at__gt=now).count() == 0
    assert Contract.objects.filter(closed_at__gt=now).count() == 0
    assert ContractEvent.objects.filter(created_at__gt=now).count() == 0
    assert AuditEntry.objects.filter(created_at__gt=now).count() == 0
    assert LeadEvent.objects.filter(created_at__gt=now).count() == 0
    assert QuoteVersion.objects.filter(created_at__gt=now).count() == 0


def test_demo_contract_steps_happen_in_order_in_business_hours(demo):
    for contract in Contract.objects.filter(store=demo).select_related("quote"):
        steps = [contract.quote.created_at, contract.created_at, contract.submitted_at,
                 contract.reviewed_at, contract.signed_at, contract.delivered_at,
                 contract.closed_at, contract.cancelled_at]
        moments = [moment for moment in steps if moment is not None]
        assert moments == sorted(moments), contract.pk
        for moment in moments:
            assert dt.time(9) <= timezone.localtime(moment, demo.tzinfo).time() <= dt.time(19)


# --- What the demo logins see -------------------------------------------------------------
def test_demo_supervisor_inbox_holds_the_team_requests(demo):
    supervisor = login("supervisor")

    rows = approval_inbox(user=supervisor)["approvals"]

    assert [row.tier for row in rows] == [ApprovalTier.SUPERVISOR] * 2
    assert all(row.can_decide for row in rows)
    assert approval_inbox_count(supervisor) == 2


def test_demo_manager_inbox_and_review_queue(demo):
    manager = login("manager")

    rows = approval_inbox(user=manager)["approvals"]
    queue = list(review_queue_for_user(user=manager))

    assert [row.tier for row in rows] == [ApprovalTier.MANAGER] * 2
    assert [row.version.below_floor for row in rows].count(True) == 1
    assert [c.status for c in queue] == [ContractStatus.IN_REVIEW] * 2
    assert approval_inbox_count(manager) == 2


def test_demo_each_consultant_sees_only_their_own_quotes_and_contracts(demo):
    consultant = login("consultant1")

    quotes = quote_scope_for_user(consultant)
    contracts = contract_scope_for_user(consultant)

    assert quotes.count() >= 3
    assert set(quotes.values_list("consultant__username", flat=True)) == {"consultant1"}
    assert set(contracts.values_list("consultant__username", flat=True)) <= {"consultant1"}
    assert contract_scope_for_user(login("manager")).count() == Contract.objects.filter(
        store=demo).count()


# --- Re-runs and the turn of the year -----------------------------------------------------
def test_seed_demo_again_seeds_nothing(demo):
    before = (Quote.objects.count(), Contract.objects.count(), ContractDocument.objects.count())
    out = StringIO()

    call_command("seed_demo", force=True, stdout=out)

    assert out.getvalue() == "Store DEMO exists already: nothing seeded.\n"
    assert (Quote.objects.count(), Contract.objects.count(),
            ContractDocument.objects.count()) == before


def test_renumber_gives_a_signing_of_last_year_last_years_number(demo):
    """A demo seeded in January has stories signed in December: the services numbered
    them in the new year, renumber() moves them to the year they were signed in."""
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False)
    first = signed.order_by("signed_at").first()
    year = first.year
    in_year = signed.filter(year=year).count()
    Contract.objects.filter(pk=first.pk).update(
        signed_at=dt.datetime(year - 1, 12, 31, 15, 0, tzinfo=demo.tzinfo))

    renumber(demo)

    first.refresh_from_db()
    assert (first.number, first.year, first.sequence) == (f"DEMO-{year - 1}-000001",
                                                          year - 1, 1)
    assert first.events.get(kind=ContractEventKind.SIGNED).note == first.number
    assert list(signed.filter(year=year).order_by("signed_at")
                .values_list("sequence", flat=True)) == list(range(1, in_year))
    assert dict(ContractSequence.objects.filter(store=demo, year__in=(year - 1, year))
                .values_list("year", "last")) == {year - 1: 1, year: in_year - 1}
    if first.lead_id is not None:
        note = LeadEvent.objects.get(lead_id=first.lead_id, kind=EventKind.CONTRACT).note
        assert first.number in note


def test_demo_deposits_of_delivered_contracts_are_confirmed_by_finance(demo):
    from delivery.models import Payment

    delivered = Payment.objects.filter(
        contract__store=demo,
        contract__status__in=(ContractStatus.DELIVERED, ContractStatus.CLOSED))
    waiting = Payment.objects.filter(contract__store=demo,
                                     contract__status=ContractStatus.SIGNED)

    assert delivered.exists()
    assert not delivered.filter(confirmed_at=None).exists()
    assert set(delivered.values_list("confirmed_by__role", flat=True)) == {Role.FINANCE}
    assert not delivered.filter(confirmed_at__lt=F("received_at")).exists()
    assert waiting.filter(confirmed_at=None).exists()  # the finance desk has work
