"""The arithmetic of a quote: pure functions on Decimals, no database.

Money is CNY in `Decimal`, rounded half-up to the fen at each printed figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from contracts.enums import TIER_ORDER, ApprovalTier, PaymentPlan
from contracts.tax import PurchaseTax
from dealership.enums import Role
from dealership.money import CENT, HUNDRED, ZERO, fen


def monthly_payment(principal: Decimal, annual_rate_pct: Decimal, months: int) -> Decimal:
    """The standard annuity: M = P·r / (1 − (1 + r)^−n), r the monthly rate; P / n at 0 %."""
    if months <= 0:
        raise ValueError("months must be positive")
    if principal <= 0:
        return ZERO.quantize(CENT)
    with localcontext() as ctx:
        ctx.prec = 34
        rate = Decimal(annual_rate_pct) / HUNDRED / 12
        if rate == 0:
            return fen(principal / months)
        return fen(principal * rate / (1 - (1 + rate) ** -months))


def total_interest(principal: Decimal, monthly: Decimal, months: int) -> Decimal:
    """What the customer pays on top of the principal over the term (rounded instalments)."""
    if principal <= 0:
        return ZERO.quantize(CENT)
    return fen(max(monthly * months - principal, ZERO))


@dataclass(frozen=True)
class Totals:
    list_price: Decimal
    discount: Decimal
    vehicle_price: Decimal
    accessories_total: Decimal
    packages_total: Decimal
    insurance_estimate: Decimal
    fees: Decimal
    trade_in_value: Decimal
    out_the_door: Decimal
    purchase_tax_included: bool
    purchase_tax: Decimal
    purchase_tax_relief: Decimal
    amount_due: Decimal
    down_payment: Decimal
    loan_principal: Decimal
    monthly_payment: Decimal
    total_interest: Decimal


def quote_totals(
    *, list_price: Decimal, discount: Decimal, accessories_total: Decimal = ZERO,
    packages_total: Decimal = ZERO, insurance_estimate: Decimal = ZERO, fees: Decimal = ZERO,
    trade_in_value: Decimal = ZERO, payment_plan: str = PaymentPlan.FULL,
    down_payment: Decimal = ZERO, loan_term_months: int | None = None,
    loan_annual_rate: Decimal | None = None, tax: PurchaseTax | None = None,
) -> Totals:
    """Out-the-door = vehicle price (list − discount) + accessories + packages + insurance
    + fees + the purchase tax due (when the store shows it: 落地价 includes it); the
    trade-in is paid with, leaving the amount due; a loan finances the amount due minus
    the down payment."""
    vehicle_price = list_price - discount
    tax_due = tax.due if tax is not None else ZERO
    out_the_door = fen(vehicle_price + accessories_total + packages_total
                       + insurance_estimate + fees + tax_due)
    amount_due = fen(out_the_door - trade_in_value)
    principal = monthly = interest = ZERO.quantize(CENT)
    down = ZERO.quantize(CENT)
    if payment_plan == PaymentPlan.LOAN and loan_term_months:
        down = fen(down_payment)
        principal = fen(max(amount_due - down, ZERO))
        monthly = monthly_payment(principal, loan_annual_rate or ZERO, loan_term_months)
        interest = total_interest(principal, monthly, loan_term_months)
    return Totals(
        list_price=fen(list_price), discount=fen(discount), vehicle_price=fen(vehicle_price),
        accessories_total=fen(accessories_total), packages_total=fen(packages_total),
        insurance_estimate=fen(insurance_estimate), fees=fen(fees),
        trade_in_value=fen(trade_in_value), out_the_door=out_the_door, amount_due=amount_due,
        purchase_tax_included=tax is not None, purchase_tax=fen(tax_due),
        purchase_tax_relief=fen(tax.relief if tax is not None else ZERO),
        down_payment=down, loan_principal=principal, monthly_payment=monthly,
        total_interest=interest,
    )


# --- Discount authority (三级议价) ----------------------------------------------------------
def tier_for_discount(policy, discount: Decimal) -> str:
    """Exactly at a limit is still within it; one fen above goes to the next tier."""
    if discount <= policy.consultant_limit:
        return ApprovalTier.CONSULTANT
    if discount <= policy.supervisor_limit:
        return ApprovalTier.SUPERVISOR
    return ApprovalTier.MANAGER


def floor_amount(policy, list_price: Decimal) -> Decimal:
    """The largest discount allowed without a recorded reason."""
    return fen(list_price * policy.floor_pct / HUNDRED)


def is_below_floor(policy, list_price: Decimal, discount: Decimal) -> bool:
    return discount > floor_amount(policy, list_price)


def tier_required(policy, list_price: Decimal, discount: Decimal) -> str:
    """The tier that must approve: by the amount, and the manager below the floor."""
    if is_below_floor(policy, list_price, discount):
        return ApprovalTier.MANAGER
    return tier_for_discount(policy, discount)


def authority_of(user) -> str:
    """The highest tier a user's role may grant on their own."""
    if user.role == Role.MANAGER or user.is_superuser:
        return ApprovalTier.MANAGER
    if user.role == Role.SUPERVISOR:
        return ApprovalTier.SUPERVISOR
    return ApprovalTier.CONSULTANT


def within_authority(user, tier: str) -> bool:
    return TIER_ORDER[authority_of(user)] >= TIER_ORDER[tier]
