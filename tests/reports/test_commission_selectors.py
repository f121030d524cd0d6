"""Commission per consultant per month (issue 13 §8): tiers at each boundary, the
percentages, a cancellation reversed in its own month, scheme versions, query counts.
Every expected amount is worked out by hand in the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealership.enums import Role
from reports.selectors.commission import COMMISSION_STATEMENT_QUERIES, commission_statement
from tests.factories import CustomerFactory, UserFactory
from tests.reports.factories_commission import (
    add_policy,
    at,
    cancel_after_delivery,
    deliver,
    grant_loan,
    make_scheme,
)

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)


def _amounts(lines):
    return [(line.contract_id, line.unit_amount, line.value_added, line.finance,
             line.insurance, line.total) for line in lines]


def _entry(statement, consultant):
    return next(e for e in statement.consultants if e.consultant.pk == consultant.pk)


def test_tiers_at_each_boundary(store, manager, consultant, customer):
    # Tiers 1→¥300, 5→¥400, 10→¥500; every unit of the month at the tier reached.
    make_scheme(store, manager, month=OCT)
    expected = {4: ("1", "1200.00"),   # 4 × 300
                5: ("5", "2000.00"),   # 5 × 400
                9: ("5", "3600.00"),   # 9 × 400
                10: ("10", "5000.00")}  # 10 × 500
    delivered = 0
    for units, (tier, total) in expected.items():
        while delivered < units:
            delivered += 1
            deliver(consultant, customer, manager, when=at(OCT + dt.timedelta(days=delivered)))

        entry = commission_statement(store=store, month=OCT, consultant=consultant).consultants[0]

        assert (entry.units, str(entry.tier.min_units), entry.total) == (
            units, tier, Decimal(total))
        assert [line.unit_amount for line in entry.lines] == [entry.unit_amount] * units


def test_no_unit_reaches_no_tier(store, manager, consultant, teammate, customer):
    make_scheme(store, manager, month=OCT, tiers=((1, "300"), (5, "400")))
    deliver(teammate, CustomerFactory(store=store, owner=teammate), manager,
            when=at(dt.date(2026, 10, 9)))

    entry = commission_statement(store=store, month=OCT, consultant=consultant).consultants[0]

    assert (entry.units, entry.tier, entry.unit_amount, entry.lines, entry.total) == (
        0, None, Decimal("0"), [], Decimal("0"))


def test_percentages_of_value_added_finance_and_insurance(store, manager, consultant,
                                                          customer):
    make_scheme(store, manager, month=OCT, tiers=((1, "300"),), value_added="2",
                finance="1.5", insurance="10")
    when = at(dt.date(2026, 10, 12))
    first = deliver(consultant, customer, manager, when=when, packages=["3000"],
                    accessories=[("800", 2)])
    grant_loan(first, amount="100000", when=when)
    add_policy(first, premium="3456.78", when=when, number="P-1")
    add_policy(first, premium="950.00", when=when, number="P-2")
    # The second's loan is only submitted: no finance attached yet.
    second = deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 20)))
    grant_loan(second, amount="50000", when=at(dt.date(2026, 10, 20)), approve=False)

    entry = commission_statement(store=store, month=OCT, consultant=consultant).consultants[0]

    one, two = entry.lines
    # (3,000 + 2 × 800) × 2% = 92.00; 100,000 × 1.5% = 1,500.00;
    # (3,456.78 + 950.00) × 10% = 440.678 → 440.68 (to the fen, half up).
    assert (one.contract_id, one.unit_amount, one.value_added, one.finance, one.insurance,
            one.total) == (first.pk, Decimal("300.00"), Decimal("92.00"), Decimal("1500.00"),
                           Decimal("440.68"), Decimal("2332.68"))
    assert (two.contract_id, two.value_added, two.finance, two.insurance, two.total) == (
        second.pk, Decimal("0"), Decimal("0"), Decimal("0"), Decimal("300.00"))
    assert (entry.units_total, entry.value_added_total, entry.finance_total,
            entry.insurance_total, entry.total) == (
        Decimal("600.00"), Decimal("92.00"), Decimal("1500.00"), Decimal("440.68"),
        Decimal("2632.68"))


def test_cancellation_reversed_in_its_month_delivery_month_unchanged(store, manager,
                                                                    consultant, customer):
    # October: tiers 1→300, 2→350 and 10% of value-added; November pays more, but the
    # reversal is what the contract earned in October.
    make_scheme(store, manager, month=OCT, tiers=((1, "300"), (2, "350")), value_added="10")
    make_scheme(store, manager, month=NOV, tiers=((1, "1000"),), value_added="50")
    kept = deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 5)),
                   packages=["1000"])
    returned = deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 25)),
                       packages=["2000"])
    october = commission_statement(store=store, month=OCT, consultant=consultant)

    cancel_after_delivery(returned, when=at(dt.date(2026, 11, 3)))

    after = commission_statement(store=store, month=OCT, consultant=consultant).consultants[0]
    # October unchanged: 2 units at 350, plus 100.00 and 200.00: 1,000.00.
    assert _amounts(after.lines) == _amounts(october.consultants[0].lines)
    assert after.lines[1].cancelled_on == dt.date(2026, 11, 3)  # shown, not reversed here
    assert (after.units, after.total) == (2, Decimal("1000.00"))
    assert [line.contract_id for line in after.lines] == [kept.pk, returned.pk]
    november = commission_statement(store=store, month=NOV,
                                    consultant=consultant).consultants[0]
    (reversal,) = november.lines
    # −(350 + 2,000 × 10%) = −550.00, on November's statement.
    assert (reversal.contract_id, reversal.is_reversal, reversal.unit_amount,
            reversal.value_added, reversal.total, reversal.cancelled_on) == (
        returned.pk, True, Decimal("-350.00"), Decimal("-200.00"), Decimal("-550.00"),
        dt.date(2026, 11, 3))
    assert (november.units, november.reversals_total, november.total) == (
        0, Decimal("-550.00"), Decimal("-550.00"))


def test_contract_cancelled_within_its_delivery_month_is_no_unit(store, manager, consultant,
                                                                 customer):
    make_scheme(store, manager, month=OCT, tiers=((1, "300"), (2, "350")))
    deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 5)))
    returned = deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 6)))
    cancel_after_delivery(returned, when=at(dt.date(2026, 10, 30)))

    entry = commission_statement(store=store, month=OCT, consultant=consultant).consultants[0]

    assert (entry.units, entry.total, len(entry.lines)) == (1, Decimal("300.00"), 1)


def test_month_is_the_store_local_month(store, manager, consultant, customer):
    # 31 October 23:30 in Shanghai is 15:30 UTC; 1 November 00:30 is 16:30 UTC on the 31st.
    make_scheme(store, manager, month=OCT)
    deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 31), 23, 30))
    deliver(consultant, customer, manager, when=at(dt.date(2026, 11, 1), 0, 30))

    october = commission_statement(store=store, month=OCT, consultant=consultant)
    november = commission_statement(store=store, month=NOV, consultant=consultant)

    assert (october.consultants[0].units, november.consultants[0].units) == (1, 1)


def test_new_scheme_version_leaves_last_month_unchanged(store, manager, consultant, customer):
    make_scheme(store, manager, month=OCT, tiers=((1, "300"),))
    deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 15)))
    before = commission_statement(store=store, month=OCT, consultant=consultant)

    make_scheme(store, manager, month=NOV, tiers=((1, "500"),))
    deliver(consultant, customer, manager, when=at(dt.date(2026, 11, 2)))

    after = commission_statement(store=store, month=OCT, consultant=consultant)
    november = commission_statement(store=store, month=NOV, consultant=consultant)
    assert _amounts(after.consultants[0].lines) == _amounts(before.consultants[0].lines)
    assert (after.scheme.valid_from, after.total) == (OCT, Decimal("300.00"))
    assert (november.scheme.valid_from, november.total) == (NOV, Decimal("500.00"))


def test_no_scheme_in_force_means_zero(store, manager, consultant, customer):
    make_scheme(store, manager, month=NOV)
    deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 15)))

    statement = commission_statement(store=store, month=OCT)

    assert statement.scheme is None
    assert (_entry(statement, consultant).units, statement.total) == (1, Decimal("0"))


def test_store_statement_lists_every_consultant_and_only_the_store(
        store, other_store, manager, consultant, teammate, customer, outsider):
    make_scheme(store, manager, month=OCT)
    other_manager = UserFactory(role=Role.MANAGER, store=other_store)
    make_scheme(other_store, other_manager, month=OCT)
    deliver(consultant, customer, manager, when=at(dt.date(2026, 10, 15)))
    deliver(outsider, CustomerFactory(store=other_store, owner=outsider), other_manager,
            when=at(dt.date(2026, 10, 15)))

    statement = commission_statement(store=store, month=OCT)

    assert [(e.consultant.username, e.units, e.total) for e in statement.consultants] == [
        ("mate", 0, Decimal("0")), ("con", 1, Decimal("300.00"))]  # by name: 李强, 王芳
    assert (statement.units, statement.total) == (1, Decimal("300.00"))


@pytest.mark.parametrize("count", [1, 3])
def test_statement_query_count_is_fixed(store, manager, count, django_assert_num_queries):
    make_scheme(store, manager, month=OCT, value_added="1", finance="1", insurance="1")
    earlier = at(dt.date(2026, 9, 20))
    for n in range(count):
        seller = UserFactory(role=Role.CONSULTANT, store=store)
        buyer = CustomerFactory(store=store, owner=seller)
        deliver(seller, buyer, manager, when=at(dt.date(2026, 10, 10 + n)), packages=["500"])
        returned = deliver(seller, buyer, manager, when=earlier)
        cancel_after_delivery(returned, when=at(dt.date(2026, 10, 20)))

    with django_assert_num_queries(6):
        statement = commission_statement(store=store, month=OCT)
        assert len(statement.consultants) == count
    assert COMMISSION_STATEMENT_QUERIES == 6
    with django_assert_num_queries(5):
        commission_statement(store=store, month=OCT, consultant=seller)
