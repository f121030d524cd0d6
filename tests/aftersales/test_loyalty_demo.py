"""seed_demo's referrals and points (aftersales.demo.loyalty): the store's packages, owners'
referrals (credited, reversed, still open) and a redemption, all through the services, so
the ledger holds the product's invariants. Seeded once for the module, in a transaction
rolled back when the module ends."""

from __future__ import annotations

import pytest

from aftersales.enums import PointsEntryKind
from aftersales.models import LoyaltyAccount, PointsEntry, Referral, ServicePackage
from dealership.models import Store
from leads.enums import Channel
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, seeded once for the module; rolled back after its last test."""
    with demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("loyalty-demo-media")):
        yield


@pytest.fixture
def demo(seeded) -> Store:
    return Store.objects.get(code="DEMO")


def test_demo_has_the_stores_packages(demo):
    assert ServicePackage.objects.filter(store=demo, active=True).count() == 4


def test_demo_referrals_are_referral_leads_of_owners(demo):
    referrals = list(Referral.objects.filter(store=demo).select_related("lead"))

    assert len(referrals) == 5
    assert {r.lead.channel for r in referrals} == {Channel.REFERRAL}


def test_demo_credits_reverses_and_redeems(demo):
    kinds = list(PointsEntry.objects.filter(store=demo).values_list("kind", flat=True))

    assert sorted(kinds) == sorted([
        PointsEntryKind.REFERRAL_CREDIT, PointsEntryKind.REFERRAL_CREDIT,
        PointsEntryKind.REFERRAL_CREDIT, PointsEntryKind.REFERRAL_REVERSAL,
        PointsEntryKind.REDEMPTION])


def test_demo_ledgers_add_up(demo):
    for account in LoyaltyAccount.objects.filter(store=demo):
        running = 0
        for points, after in account.entries.order_by("id").values_list("points",
                                                                         "balance_after"):
            running += points
            assert after == running >= 0
        assert account.balance == running
