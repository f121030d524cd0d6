"""Owner segments: membership worked out by hand for a handful of owners.

The owners (prices are list prices with no discount or extras, so the out-the-door price):
- 高 A: delivered ¥320,000 (+ a cancelled ¥500,000 contract, not counted); last visit
  budget up to ¥350,000, a car listed ¥320,000 → high, premium, satisfied.
- 钱 B: delivered ¥190,000 + service ¥6,000 + ¥4,500 = ¥200,500 → medium (low without the
  service spend); business use; a complaint 3 months ago → at risk.
- 孙 C: delivered ¥120,000 + service ¥1,000 = ¥121,000 → low; an older business visit,
  then a family one (the latest counts) → family; referred a friend → advocate.
- 李 D: delivered ¥110,000 + signed (on order) ¥90,000 = ¥200,000 → medium (from
  ¥200,000); a family car but a budget up to ¥400,000 → premium; bought twice → advocate.
- 周 E: delivered ¥209,800 → medium; a company car → business; referred a friend, but a
  survey with a 5 a month ago → at risk (a recent problem wins).
- 吴 F: delivered a car listed ¥310,000 → high; no visit but the price → premium; a
  complaint and a survey with a 4, both more than 12 months ago → satisfied.
Not owners: 郑 G (only a signed contract), an owner of another store.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.selectors.campaigns import segment_counts, segment_customers
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from tests.aftersales.factories_campaigns import (
    answered_survey,
    buy,
    complaint,
    owner,
    referral,
    service_spend,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(store, consultant, manager, make_user, outsider):
    advisor = make_user(Role.SERVICE_ADVISOR)
    now = timezone.now()
    a = owner(consultant, manager, name="高A", price="320000")
    buy(consultant, manager, a, price="500000", status=ContractStatus.CANCELLED)
    visit(a, usage="family", budget_max=350_000)

    b = owner(consultant, manager, name="钱B", price="190000")
    service_spend(b, advisor, "6000", "4500")
    visit(b, usage="business", budget_max=160_000)
    complaint(b, received_at=now - dt.timedelta(days=90))

    c = owner(consultant, manager, name="孙C", price="120000")
    service_spend(c, advisor, "1000")
    visit(c, usage="business", arrived_at=now - dt.timedelta(days=200))
    visit(c, usage="family", arrived_at=now - dt.timedelta(days=100))
    referral(c)

    d = owner(consultant, manager, name="李D", price="110000")
    buy(consultant, manager, d, price="90000", status=ContractStatus.SIGNED)
    visit(d, usage="family", budget_max=400_000)

    e = owner(consultant, manager, name="周E", price="209800")
    visit(e, usage="commute", customer_type="company")
    referral(e)
    answered_survey(e, Contract.objects.get(customer=e), lowest=5,
                    answered_at=now - dt.timedelta(days=30))

    f = owner(consultant, manager, name="吴F", price="310000")
    complaint(f, received_at=now - dt.timedelta(days=400))
    answered_survey(f, Contract.objects.get(customer=f), lowest=4,
                    answered_at=now - dt.timedelta(days=380))

    g = owner(consultant, manager, name="郑G", price="400000", status=ContractStatus.SIGNED)
    owner(outsider, None, name="外店H", price="400000")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_segment_customers_annotates_each_owner_with_the_three_segments(store, owners):
    rows = {row.name: (row.value_total, row.value_segment, row.need_segment,
                       row.loyalty_segment)
            for row in segment_customers(store=store)}

    assert rows == {
        "高A": (Decimal("320000.00"), "high", "premium", "satisfied"),
        "钱B": (Decimal("200500.00"), "medium", "business", "at_risk"),
        "孙C": (Decimal("121000.00"), "low", "family", "advocate"),
        "李D": (Decimal("200000.00"), "medium", "premium", "advocate"),
        "周E": (Decimal("209800.00"), "medium", "business", "at_risk"),
        "吴F": (Decimal("310000.00"), "high", "premium", "satisfied"),
    }


def test_segment_customers_filters_by_each_kind_together(store, owners):
    medium_advocates = segment_customers(store=store, value=["medium"], loyalty=["advocate"])
    high_or_low = segment_customers(store=store, value=["high", "low"])
    family_at_risk = segment_customers(store=store, need=["family"], loyalty=["at_risk"])
    premium = segment_customers(store=store, need=["premium"])

    assert [c.pk for c in medium_advocates] == [owners["d"].pk]
    assert {c.pk for c in high_or_low} == {owners["a"].pk, owners["c"].pk, owners["f"].pk}
    assert list(family_at_risk) == []
    assert {c.pk for c in premium} == {owners["a"].pk, owners["d"].pk, owners["f"].pk}


def test_segment_counts_per_kind(store, owners):
    assert segment_counts(store=store) == {
        "all": {"all": 6},
        "value": {"high": 2, "medium": 3, "low": 1},
        "need": {"family": 1, "business": 2, "premium": 3},
        "loyalty": {"advocate": 2, "satisfied": 2, "at_risk": 2},
    }


def test_segment_counts_of_a_store_without_owners(other_store):
    assert segment_counts(store=other_store) == {
        "all": {"all": 0},
        "value": {"high": 0, "medium": 0, "low": 0},
        "need": {"family": 0, "business": 0, "premium": 0},
        "loyalty": {"advocate": 0, "satisfied": 0, "at_risk": 0},
    }


def test_a_low_score_ages_out_of_at_risk_after_twelve_months(store, owners):
    later = timezone.now() + dt.timedelta(days=340)  # E's survey is now 370 days old

    rows = {row.name: row.loyalty_segment for row in segment_customers(store=store, now=later)}

    assert rows["周E"] == "advocate"
    assert rows["钱B"] == "satisfied"  # B's complaint is 430 days old
