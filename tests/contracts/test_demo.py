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
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from contracts.demo import renumber
from contracts.enums import (
    ApprovalStatus,
    ApprovalTier,
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    LeadEventKind,
    PaymentKind,
    QuoteStatus,
    RefundStatus,
)
from contracts.models import (
    Accessory,
    ApprovalRequest,
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
    DiscountPolicy,
    Payment,
    Quote,
    QuoteVersion,
    RefundObligation,
    ValuePackage,
)
from contracts.selectors.approvals import approval_inbox, approval_inbox_count
from contracts.selectors.contracts import contract_scope_for_user, review_queue_for_user
from contracts.selectors.quotes import quote_scope_for_user
from dealership.enums import Role
from dealership.models import Store, User
from dealership.models.audit import AuditEntry
from leads.enums import LeadStatus
from leads.models import LeadEvent
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db
SIGNED_STATES = (ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)


@pytest.fixture(scope="module")
def media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, media_root):
    """The small demo, seeded once; rolled back after the module's last test."""
    with demo_seeded_once(django_db_blocker, media_root):
        yield


@pytest.fixture
def demo(seeded) -> Store:
    return Store.objects.get(code="DEMO")


def login(username: str) -> User:
    return User.objects.get(username=username)


# --- Catalogue and policy -----------------------------------------------------------------
def test_demo_policy_is_the_default_three_tiers(demo):
    policy = DiscountPolicy.objects.get(store=demo)
    default = DiscountPolicy(store=demo)

    assert (policy.consultant_limit, policy.supervisor_limit, policy.floor_pct) == (
        default.consultant_limit, default.supervisor_limit, default.floor_pct)


def test_demo_accessories_and_packages_with_real_prices(demo):
    accessories = dict(Accessory.objects.filter(store=demo, is_active=True)
                       .values_list("name", "price"))
    packages = dict(ValuePackage.objects.filter(store=demo).values_list("name", "price"))

    assert accessories and packages
    assert [name for name, price in accessories.items() if price <= 0] == []
    assert [name for name, price in packages.items() if price < 0] == []
    assert Accessory.objects.filter(store=demo, is_active=False).exists()  # one off sale


# --- Quotes and approvals -----------------------------------------------------------------
def test_demo_quotes_in_every_status(demo):
    statuses = set(Quote.objects.filter(store=demo).values_list("status", flat=True))

    assert statuses == set(QuoteStatus.values)


def test_demo_every_quote_is_of_a_consultants_own_customer(demo):
    quotes = Quote.objects.filter(store=demo).select_related("customer", "consultant", "lead")

    assert {q.consultant.role for q in quotes} == {"consultant"}
    assert [q.number for q in quotes if q.customer.owner_id != q.consultant_id] == []
    assert [q.number for q in quotes if q.lead and q.lead.customer_id != q.customer_id] == []
    assert quotes.filter(lead__isnull=False).exists()
    # Every demo consultant login has quotes to show.
    assert {q.consultant_id for q in quotes} == set(
        User.objects.filter(store=demo, role=Role.CONSULTANT).values_list("pk", flat=True))


def test_demo_pending_approvals_at_both_tiers_one_below_the_floor(demo):
    pending = ApprovalRequest.objects.filter(store=demo, status=ApprovalStatus.PENDING)
    policy = DiscountPolicy.objects.get(store=demo)

    assert set(pending.values_list("tier", flat=True)) == {ApprovalTier.SUPERVISOR,
                                                           ApprovalTier.MANAGER}
    for request in pending.select_related("version"):
        floor = (request.version.list_price * policy.floor_pct / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        below_floor = request.discount > floor
        assert request.discount > policy.consultant_limit  # else no approval is asked
        assert request.version.below_floor is below_floor
        assert request.tier == (ApprovalTier.MANAGER if below_floor
                                or request.discount > policy.supervisor_limit
                                else ApprovalTier.SUPERVISOR)
        assert (request.version.floor_reason != "") is below_floor
    assert pending.filter(version__below_floor=True).exists()
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


def test_demo_quote_versions_are_numbered_gapless_in_time_order(demo):
    quotes = Quote.objects.filter(store=demo).prefetch_related("versions")

    for quote in quotes:
        versions = sorted(quote.versions.all(), key=lambda v: v.number)
        assert [v.number for v in versions] == list(range(1, len(versions) + 1)), quote.pk
        assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)
        assert quote.current_version_id == versions[-1].pk
        for earlier, later in pairwise(versions):
            if later.discount != earlier.discount:
                assert "discount" in [c["field"] for c in later.changes]
    assert any(len(quote.versions.all()) >= 3 for quote in quotes)  # a negotiation
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.SUPERSEDED,
                                          store=demo).exists()


def test_demo_trade_ins_and_loan_plans_priced_by_the_formula(demo):
    versions = QuoteVersion.objects.filter(quote__store=demo)
    loans = versions.filter(payment_plan="loan")

    assert versions.filter(trade_in_value__gt=0).exists()
    assert versions.filter(trade_in_value__gt=0, trade_in_appraiser="").count() == 0
    assert loans.exists()
    for version in loans:
        assert version.loan_principal == version.amount_due - version.down_payment
        assert version.monthly_payment == _annuity(
            version.loan_principal, version.loan_annual_rate, version.loan_term_months)
        assert 0 < version.down_payment < version.amount_due


def _annuity(principal: Decimal, annual_rate_pct: Decimal, months: int) -> Decimal:
    """P·r / (1 − (1 + r)^−n) with r the monthly rate, half-up to the fen; P/n at 0 %."""
    if annual_rate_pct == 0:
        exact = principal / months
    else:
        rate = annual_rate_pct / Decimal(1200)
        exact = principal * rate / (1 - (1 + rate) ** -months)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Contracts ----------------------------------------------------------------------------
def test_demo_contracts_in_every_status(demo):
    counts = dict(Contract.objects.filter(store=demo).values_list("status")
                  .annotate(n=Count("id")))

    assert set(counts) == set(ContractStatus.values)


def test_demo_drafts_sent_back_say_why_and_end_with_the_rejection(demo):
    sent_back = Contract.objects.filter(store=demo, status=ContractStatus.DRAFT,
                                        reviewed_by__isnull=False)

    assert sent_back.exists()
    for contract in sent_back:
        kinds = list(contract.events.order_by("created_at", "id").values_list("kind",
                                                                               flat=True))
        assert contract.rejection_reason != ""
        assert contract.reviewed_by.role == Role.MANAGER
        assert kinds[0] == ContractEventKind.CREATED
        assert kinds[-2:] == [ContractEventKind.SUBMITTED, ContractEventKind.REJECTED]


def test_demo_signed_contracts_have_their_stored_pdf(demo, media_root):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False)
    documents = ContractDocument.objects.filter(contract__in=signed)

    assert signed.exists()
    assert sorted(documents.values_list("contract", flat=True)) == sorted(
        signed.values_list("pk", flat=True))  # one document per signed contract
    assert set(documents.values_list("status", flat=True)) == {DocumentStatus.READY}
    for document in documents:
        content = (media_root / document.file.name).read_bytes()
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert document.size == len(content)
        assert document.rendered_at > document.contract.signed_at


def test_demo_contract_numbers_are_gapless_per_year_in_signing_order(demo):
    signed = list(Contract.objects.filter(store=demo, signed_at__isnull=False)
                  .order_by("signed_at", "pk"))  # numbered in this order
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


def test_demo_every_signed_contract_has_a_number_and_no_other_has_one(demo):
    contracts = Contract.objects.filter(store=demo)

    assert contracts.filter(status__in=SIGNED_STATES, number="").count() == 0
    assert contracts.filter(signed_at__isnull=True).exclude(number="").count() == 0
    assert contracts.filter(status__in=SIGNED_STATES, signed_at__isnull=True).count() == 0
    numbers = list(contracts.exclude(number="").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_demo_a_refund_is_owed_for_every_contract_cancelled_after_signing(demo):
    cancelled_after_signing = Contract.objects.filter(
        store=demo, status=ContractStatus.CANCELLED, signed_at__isnull=False)
    refunds = RefundObligation.objects.filter(store=demo)

    assert cancelled_after_signing.exists()
    assert sorted(refunds.values_list("contract", flat=True)) == sorted(
        cancelled_after_signing.values_list("pk", flat=True))
    for refund in refunds.select_related("contract__quote", "contract__cancelled_by"):
        contract = refund.contract
        deposit = Payment.objects.get(contract=contract, kind=PaymentKind.DEPOSIT)
        assert contract.signed_at < contract.cancelled_at == refund.created_at
        assert refund.status in (RefundStatus.DUE, RefundStatus.PAID)
        assert refund.amount == deposit.amount == contract.deposit_amount > 0
        assert contract.cancelled_by.role == Role.MANAGER
        assert contract.quote.status == QuoteStatus.WITHDRAWN


def test_demo_every_signing_recorded_its_deposit_at_the_moment_of_signing(demo):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False)

    assert signed.exists()
    for contract in signed:
        event = contract.events.get(kind=ContractEventKind.SIGNED)
        deposit = contract.payments.get(kind=PaymentKind.DEPOSIT)
        assert event.created_at == deposit.received_at == contract.signed_at
        assert deposit.amount == contract.deposit_amount > 0
        assert event.note == contract.number
        assert contract.reviewed_by.role == Role.MANAGER
    never_signed = Payment.objects.filter(contract__store=demo,
                                          contract__signed_at__isnull=True)
    assert never_signed.count() == 0


def test_demo_signed_contracts_won_their_leads_when_they_were_signed(demo):
    signed = Contract.objects.filter(store=demo, signed_at__isnull=False,
                                     lead__isnull=False).select_related("lead")

    assert signed.exists()
    for contract in signed:
        assert contract.lead.status == LeadStatus.WON
        assert abs(contract.lead.closed_at - contract.signed_at) < dt.timedelta(minutes=1)


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

    waiting = ApprovalRequest.objects.filter(store=demo, status=ApprovalStatus.PENDING,
                                             tier=ApprovalTier.SUPERVISOR)
    assert sorted(row.pk for row in rows) == sorted(waiting.values_list("pk", flat=True))
    assert all(row.can_decide for row in rows)
    assert approval_inbox_count(supervisor) == len(rows) > 0


def test_demo_manager_inbox_and_review_queue(demo):
    manager = login("manager")

    rows = approval_inbox(user=manager)["approvals"]
    queue = list(review_queue_for_user(user=manager))

    waiting = ApprovalRequest.objects.filter(store=demo, status=ApprovalStatus.PENDING,
                                             tier=ApprovalTier.MANAGER)
    in_review = Contract.objects.filter(store=demo, status=ContractStatus.IN_REVIEW)
    assert sorted(row.pk for row in rows) == sorted(waiting.values_list("pk", flat=True))
    assert sorted(c.pk for c in queue) == sorted(in_review.values_list("pk", flat=True))
    assert len(queue) > 0
    assert approval_inbox_count(manager) == len(rows) > 0


def test_demo_each_consultant_sees_only_their_own_quotes_and_contracts(demo):
    consultant = login("consultant1")

    quotes = quote_scope_for_user(consultant)
    contracts = contract_scope_for_user(consultant)

    assert quotes.exists()
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
    first = signed.order_by("signed_at", "pk").first()
    year = first.year
    in_year = signed.filter(year=year).count()
    Contract.objects.filter(pk=first.pk).update(
        signed_at=dt.datetime(year - 1, 12, 31, 15, 0, tzinfo=demo.tzinfo))

    renumber(demo)

    first.refresh_from_db()
    assert (first.number, first.year, first.sequence) == (f"DEMO-{year - 1}-000001",
                                                          year - 1, 1)
    assert first.events.get(kind=ContractEventKind.SIGNED).note == first.number
    assert list(signed.filter(year=year).order_by("signed_at", "pk")
                .values_list("sequence", flat=True)) == list(range(1, in_year))
    assert dict(ContractSequence.objects.filter(store=demo, year__in=(year - 1, year))
                .values_list("year", "last")) == {year - 1: 1, year: in_year - 1}
    if first.lead_id is not None:
        note = LeadEvent.objects.get(lead_id=first.lead_id, kind=LeadEventKind.CONTRACT).note
        assert first.number in note


def test_demo_deposits_of_delivered_contracts_are_confirmed_by_finance(demo):
    from contracts.models import Payment

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
