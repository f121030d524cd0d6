"""The points ledger under concurrency (PostgreSQL, one connection per thread, as web
workers at the desk): the balance never goes below zero, exactly the affordable
redemptions succeed, a credit racing a redemption leaves a consistent ledger, and one
friend referred twice at once gives one referral."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersales.enums import PointsEntryKind
from aftersales.models import LoyaltyAccount, PointsEntry, Referral
from aftersales.services.loyalty import points_adjust, points_redeem
from contracts.enums import ContractStatus, PaymentChannel
from contracts.services.contracts import contract_sign
from dealership.enums import Role
from dealership.models import Customer
from tests.aftersales.factories_loyalty import (
    ServicePackageFactory,
    balance_of,
    owner,
    refer,
    sign_friend,
)
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def referrer(consultant, manager):
    return owner(consultant, manager, name="张车主", phone="+8613800000001")


def _ledger_is_consistent(customer) -> list[tuple[str, int, int]]:
    """Each entry's balance_after is the previous one plus its points, never negative, and
    the last one is the account's balance. Returns (kind, points, balance_after) in order."""
    rows = list(PointsEntry.objects.filter(account__customer=customer).order_by("id")
                .values_list("kind", "points", "balance_after"))
    running = 0
    for _kind, points, after in rows:
        running += points
        assert after == running >= 0
    assert LoyaltyAccount.objects.get(customer=customer).balance == running
    return rows


def test_parallel_redemptions_beyond_the_balance_only_the_affordable_succeed(
        consultant, manager, carer, referrer):
    sign_friend(refer(carer, referrer), consultant, manager)  # 2000 points
    package = ServicePackageFactory(store=referrer.store, points=500, name="洗车")

    results = race(*[
        (lambda: points_redeem(actor=carer, customer=referrer, package=package))
        for _ in range(7)])

    winners = [r for r in results if isinstance(r, PointsEntry)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (4, 3)
    assert {m for loser in losers for m in loser.message_dict["package"]} == {
        "洗车 costs 500 points; the balance is 0, 500 points short."}
    assert sorted(w.balance_after for w in winners) == [0, 500, 1000, 1500]
    assert balance_of(referrer) == 0
    assert _ledger_is_consistent(referrer) == [
        (PointsEntryKind.REFERRAL_CREDIT, 2000, 2000),
        (PointsEntryKind.REDEMPTION, -500, 1500), (PointsEntryKind.REDEMPTION, -500, 1000),
        (PointsEntryKind.REDEMPTION, -500, 500), (PointsEntryKind.REDEMPTION, -500, 0)]


def test_a_credit_racing_a_redemption_keeps_the_ledger_consistent(consultant, manager, carer,
                                                                 referrer):
    points_adjust(actor=manager, customer=referrer, points=1000, reason="开业礼")
    referral = refer(carer, referrer)
    friend = Customer.objects.get(pk=referral.lead.customer_id)
    contract = make_contract(consultant, friend, manager=manager,
                             status=ContractStatus.APPROVED, lead=referral.lead)
    package = ServicePackageFactory(store=referrer.store, points=1500, name="首保")

    signed, redeemed = race(
        lambda: contract_sign(actor=consultant, contract=contract, customer_signed=True,
                              deposit_channel=PaymentChannel.WECHAT,
                              receipt_number="R-RACE-1"),
        lambda: points_redeem(actor=carer, customer=referrer, package=package))

    assert signed.status == ContractStatus.SIGNED
    rows = _ledger_is_consistent(referrer)
    if isinstance(redeemed, PointsEntry):  # the credit came first: 1000 + 2000 - 1500
        assert rows == [(PointsEntryKind.ADJUSTMENT, 1000, 1000),
                        (PointsEntryKind.REFERRAL_CREDIT, 2000, 3000),
                        (PointsEntryKind.REDEMPTION, -1500, 1500)]
    else:  # the redemption came first and found 1000: refused, then the credit
        assert redeemed.message_dict == {"package": [
            "首保 costs 1500 points; the balance is 1000, 500 points short."]}
        assert rows == [(PointsEntryKind.ADJUSTMENT, 1000, 1000),
                        (PointsEntryKind.REFERRAL_CREDIT, 2000, 3000)]


def test_one_friend_referred_twice_at_once_gives_one_referral(consultant, manager, carer,
                                                             referrer):
    other = owner(consultant, manager, name="李车主", phone="+8613800000002")

    results = race(lambda: refer(carer, referrer), lambda: refer(carer, other))

    winners = [r for r in results if isinstance(r, Referral)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].message_dict == {
        "phone": ["This friend is already referred (their open lead has a referral)."]}
    assert Referral.objects.count() == 1
