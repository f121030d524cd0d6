"""The arithmetic of a quote (contracts.services.pricing) against figures computed apart.

Reference values: the spreadsheet formula =PMT(rate/12, n, -P) (LibreOffice / Excel),
cross-checked with the exact rational annuity P·r·(1+r)^n / ((1+r)^n − 1) in Python's
`fractions.Fraction`, then rounded half-up to the fen by hand:

    P        rate   n    exact monthly        → fen       monthly×n − P
    100,000  4.8 %  12   8,551.585658…        8,551.59    102,619.08 − 100,000 = 2,619.08
    100,000  4.8 %  60   1,877.974201…        1,877.97    112,678.20 − 100,000 = 12,678.20
    150,000  3.5 %  36   4,395.311959…        4,395.31    158,231.16 − 150,000 = 8,231.16
    200,000  5.99 % 60   3,865.630399…        3,865.63    231,937.80 − 200,000 = 31,937.80
    114,600.50 3.5 % 36  3,358.032988…        3,358.03    120,889.08 − 114,600.50 = 6,288.58
    100,000  0 %    12   8,333.333…  (P/n)    8,333.33    99,999.96 − 100,000 < 0 → 0.00
    100,000  0 %    36   2,777.777…  (P/n)    2,777.78    100,000.08 − 100,000 = 0.08
    99,999.90 0 %   12   8,333.325   (P/n)    8,333.33 half-up (half-even would give .32)
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from contracts.enums import ApprovalTier, PaymentPlan
from contracts.models import DiscountPolicy
from contracts.services import pricing
from dealership.enums import Role
from dealership.models import User


@pytest.mark.parametrize(("principal", "rate", "months", "monthly", "interest"), [
    ("100000", "4.8", 12, "8551.59", "2619.08"),
    ("100000", "4.8", 60, "1877.97", "12678.20"),
    ("150000", "3.5", 36, "4395.31", "8231.16"),
    ("200000", "5.99", 60, "3865.63", "31937.80"),
    ("114600.50", "3.5", 36, "3358.03", "6288.58"),
])
def test_monthly_payment_and_interest_match_the_spreadsheet(principal, rate, months, monthly,
                                                            interest):
    got = pricing.monthly_payment(D(principal), D(rate), months)

    assert (got, str(got)) == (D(monthly), monthly)
    assert pricing.total_interest(D(principal), got, months) == D(interest)


def test_zero_rate_is_principal_over_months():
    monthly = pricing.monthly_payment(D("100000"), D("0"), 12)

    assert str(monthly) == "8333.33"
    # 12 × 8,333.33 is 4 fen short of the principal: no negative interest.
    assert str(pricing.total_interest(D("100000"), monthly, 12)) == "0.00"


def test_zero_rate_rounding_leftover_counts_as_interest():
    monthly = pricing.monthly_payment(D("100000"), D("0.00"), 36)

    assert str(monthly) == "2777.78"
    assert str(pricing.total_interest(D("100000"), monthly, 36)) == "0.08"


def test_monthly_payment_rounds_half_up_to_the_fen():
    # 99,999.90 / 12 = 8,333.325 exactly: half-up gives .33, banker's rounding .32.
    assert str(pricing.monthly_payment(D("99999.90"), D("0"), 12)) == "8333.33"


@pytest.mark.parametrize(("value", "expected"), [
    ("2.675", "2.68"), ("2.665", "2.67"), ("0.125", "0.13"), ("-0.125", "-0.13"),
    ("8551.5849", "8551.58"), ("10", "10.00"),
])
def test_fen_rounds_half_up(value, expected):
    assert str(pricing.fen(D(value))) == expected


def test_monthly_payment_of_nothing_is_zero():
    assert str(pricing.monthly_payment(D("0"), D("4.8"), 36)) == "0.00"
    assert str(pricing.total_interest(D("0"), D("0"), 36)) == "0.00"


def test_monthly_payment_refuses_a_term_of_no_months():
    with pytest.raises(ValueError, match="months must be positive"):
        pricing.monthly_payment(D("100000"), D("4.8"), 0)


# --- quote_totals -------------------------------------------------------------------------
def test_quote_totals_loan_out_the_door_amount_due_and_principal():
    totals = pricing.quote_totals(
        list_price=D("209800"), discount=D("5000"), accessories_total=D("1600"),
        packages_total=D("1200"), insurance_estimate=D("6500.50"), fees=D("500"),
        trade_in_value=D("40000"), payment_plan=PaymentPlan.LOAN, down_payment=D("60000"),
        loan_term_months=36, loan_annual_rate=D("3.5"))

    # vehicle 209,800 − 5,000 = 204,800; + 1,600 + 1,200 + 6,500.50 + 500 = 214,600.50;
    # − trade-in 40,000 = 174,600.50 due; − 60,000 down = 114,600.50 financed.
    assert totals == pricing.Totals(
        list_price=D("209800.00"), discount=D("5000.00"), vehicle_price=D("204800.00"),
        accessories_total=D("1600.00"), packages_total=D("1200.00"),
        insurance_estimate=D("6500.50"), fees=D("500.00"), trade_in_value=D("40000.00"),
        out_the_door=D("214600.50"), amount_due=D("174600.50"), down_payment=D("60000.00"),
        loan_principal=D("114600.50"), monthly_payment=D("3358.03"),
        total_interest=D("6288.58"), purchase_tax_included=False,
        purchase_tax=D("0.00"), purchase_tax_relief=D("0.00"))
    assert str(totals.out_the_door) == "214600.50"


def test_quote_totals_full_payment_has_no_loan_figures():
    totals = pricing.quote_totals(
        list_price=D("209800"), discount=D("3000"), insurance_estimate=D("6000"),
        fees=D("500"), trade_in_value=D("10000"), payment_plan=PaymentPlan.FULL,
        down_payment=D("50000"), loan_term_months=36, loan_annual_rate=D("4.8"))

    assert (totals.out_the_door, totals.amount_due) == (D("213300.00"), D("203300.00"))
    assert (totals.down_payment, totals.loan_principal, totals.monthly_payment,
            totals.total_interest) == (D("0.00"), D("0.00"), D("0.00"), D("0.00"))


def test_quote_totals_loan_at_zero_rate_without_a_rate_given():
    totals = pricing.quote_totals(
        list_price=D("130000"), discount=D("0"), payment_plan=PaymentPlan.LOAN,
        down_payment=D("30000"), loan_term_months=12, loan_annual_rate=None)

    assert (totals.loan_principal, totals.monthly_payment, totals.total_interest) == (
        D("100000.00"), D("8333.33"), D("0.00"))


def test_quote_totals_down_payment_covering_everything_finances_nothing():
    totals = pricing.quote_totals(
        list_price=D("100000"), discount=D("0"), payment_plan=PaymentPlan.LOAN,
        down_payment=D("120000"), loan_term_months=12, loan_annual_rate=D("4.8"))

    assert (totals.amount_due, totals.loan_principal, totals.monthly_payment) == (
        D("100000.00"), D("0.00"), D("0.00"))


# --- Discount authority -------------------------------------------------------------------
def default_policy() -> DiscountPolicy:
    # An unsaved policy carries the model defaults: 3,000 / 8,000 / 8 %.
    return DiscountPolicy()


def test_default_policy_values():
    policy = default_policy()

    assert (policy.consultant_limit, policy.supervisor_limit, policy.floor_pct) == (
        D("3000"), D("8000"), D("8"))


@pytest.mark.parametrize(("discount", "tier"), [
    ("0", ApprovalTier.CONSULTANT),
    ("2999.99", ApprovalTier.CONSULTANT),
    ("3000", ApprovalTier.CONSULTANT),
    ("3000.01", ApprovalTier.SUPERVISOR),
    ("3001", ApprovalTier.SUPERVISOR),
    ("8000", ApprovalTier.SUPERVISOR),
    ("8000.01", ApprovalTier.MANAGER),
    ("8001", ApprovalTier.MANAGER),
])
def test_tier_for_discount_at_each_limit(discount, tier):
    assert pricing.tier_for_discount(default_policy(), D(discount)) == tier


def test_floor_amount_is_the_percentage_of_the_list_price_in_fen():
    policy = default_policy()

    assert pricing.floor_amount(policy, D("209800")) == D("16784.00")
    # 8 % of 123,456.78 = 9,876.5424 → 9,876.54
    assert pricing.floor_amount(policy, D("123456.78")) == D("9876.54")


@pytest.mark.parametrize(("discount", "below", "tier"), [
    ("16784.00", False, ApprovalTier.MANAGER),   # exactly at the floor: not below
    ("16784.01", True, ApprovalTier.MANAGER),
])
def test_floor_boundary_on_a_209800_car(discount, below, tier):
    policy = default_policy()

    assert pricing.is_below_floor(policy, D("209800"), D(discount)) is below
    assert pricing.tier_required(policy, D("209800"), D(discount)) == tier


@pytest.mark.parametrize(("discount", "tier"), [
    # A ¥30,000 car: the floor is ¥2,400, under the consultant's own limit.
    ("2400", ApprovalTier.CONSULTANT),
    ("2400.01", ApprovalTier.MANAGER),
])
def test_below_the_floor_always_needs_the_manager(discount, tier):
    assert pricing.tier_required(default_policy(), D("30000"), D(discount)) == tier


def test_changed_policy_moves_the_boundaries():
    policy = DiscountPolicy(consultant_limit=D("5000"), supervisor_limit=D("10000"),
                            floor_pct=D("5"))

    assert [pricing.tier_for_discount(policy, D(x)) for x in
            ("5000", "5000.01", "10000", "10000.01")] == [
        ApprovalTier.CONSULTANT, ApprovalTier.SUPERVISOR, ApprovalTier.SUPERVISOR,
        ApprovalTier.MANAGER]
    assert pricing.floor_amount(policy, D("209800")) == D("10490.00")


@pytest.mark.parametrize(("role", "superuser", "authority"), [
    (Role.CONSULTANT, False, ApprovalTier.CONSULTANT),
    (Role.SUPERVISOR, False, ApprovalTier.SUPERVISOR),
    (Role.MANAGER, False, ApprovalTier.MANAGER),
    (Role.FINANCE, False, ApprovalTier.CONSULTANT),
    (Role.ADMIN, True, ApprovalTier.MANAGER),
])
def test_authority_of_each_role(role, superuser, authority):
    user = User(role=role, is_superuser=superuser)

    assert pricing.authority_of(user) == authority


@pytest.mark.parametrize(("role", "tier", "within"), [
    (Role.CONSULTANT, ApprovalTier.CONSULTANT, True),
    (Role.CONSULTANT, ApprovalTier.SUPERVISOR, False),
    (Role.SUPERVISOR, ApprovalTier.SUPERVISOR, True),
    (Role.SUPERVISOR, ApprovalTier.MANAGER, False),
    (Role.MANAGER, ApprovalTier.MANAGER, True),
])
def test_within_authority(role, tier, within):
    assert pricing.within_authority(User(role=role), tier) is within
