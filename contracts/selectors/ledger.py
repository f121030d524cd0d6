"""Reads of the payments ledger, for the contract page and for the finance desk of the
delivery stage: a contract's payments and refund, what the customer has paid, and a
store's payments to confirm and refunds to settle."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from contracts.enums import PaymentKind, RefundStatus
from contracts.models import Contract, Payment, RefundObligation
from dealership.models import User
from dealership.money import ZERO


def receipt_number_in_use(*, store_id: int, receipt_number: str) -> bool:
    """A receipt number is written once per store (the unique constraint says the same)."""
    return Payment.objects.filter(store_id=store_id, receipt_number=receipt_number).exists()


def money_received(*, contract: Contract) -> Decimal:
    """What the customer has paid on the contract, net of refunds."""
    totals = Payment.objects.filter(contract=contract).aggregate(
        paid=Sum("amount", filter=~Q(kind=PaymentKind.REFUND)),
        refunded=Sum("amount", filter=Q(kind=PaymentKind.REFUND)))
    return (totals["paid"] or ZERO) - (totals["refunded"] or ZERO)


def balance_due(*, contract: Contract) -> Decimal:
    """What is still to be paid on the contract: the amount due after the trade-in, less
    the money received net of refunds (a loan's disbursement counts as received). Derived,
    never stored. Negative only if the ledger holds more than the contract's price."""
    return contract.amount_due - money_received(contract=contract)


def loan_received(*, contract: Contract) -> Decimal:
    """What the lender has paid out on the contract (its loan disbursements)."""
    total = Payment.objects.filter(contract=contract, kind=PaymentKind.LOAN).aggregate(
        total=Sum("amount"))["total"]
    return total or ZERO


def money_totals_by_contract(contract_ids) -> dict[int, dict[str, Decimal]]:
    """{contract id: {"paid", "refunded", "loan"}} for many contracts in one query: the
    money in (refunds excluded), the refunds paid back, and the loan disbursements among
    the money in. A contract with no payment is absent (all zero)."""
    rows = (Payment.objects.filter(contract_id__in=list(contract_ids)).order_by()
            .values("contract_id")
            .annotate(paid=Sum("amount", filter=~Q(kind=PaymentKind.REFUND)),
                      refunded=Sum("amount", filter=Q(kind=PaymentKind.REFUND)),
                      loan=Sum("amount", filter=Q(kind=PaymentKind.LOAN))))
    return {row["contract_id"]: {"paid": row["paid"] or ZERO,
                                 "refunded": row["refunded"] or ZERO,
                                 "loan": row["loan"] or ZERO} for row in rows}


def contract_payments(*, contract: Contract) -> QuerySet[Payment]:
    """The contract's payments, newest first, with who recorded and confirmed them."""
    return (Payment.objects.filter(contract=contract)
            .select_related("recorded_by", "confirmed_by").order_by("-received_at", "-id"))


def contract_refund_of(*, contract: Contract) -> RefundObligation | None:
    """The refund the contract owes, from the row its selector joined; None when none."""
    try:
        return contract.refund_obligation
    except RefundObligation.DoesNotExist:
        return None


# --- The finance desk (scoped to the finance user's store) --------------------------------
def payment_scope_for_user(*, user: User) -> QuerySet[Payment]:
    return (Payment.objects.filter(store_id=user.store_id)
            .select_related("contract", "recorded_by", "confirmed_by"))


def refund_scope_for_user(*, user: User) -> QuerySet[RefundObligation]:
    return (RefundObligation.objects.filter(store_id=user.store_id)
            .select_related("contract", "created_by", "settled_by"))


def payments_to_confirm(*, user: User) -> QuerySet[Payment]:
    """Money recorded at the counter that finance has not confirmed, oldest first."""
    return (payment_scope_for_user(user=user).filter(confirmed_at__isnull=True)
            .order_by("received_at", "pk"))


def refunds_due(*, user: User) -> QuerySet[RefundObligation]:
    """Refunds the store still owes, oldest first."""
    return (refund_scope_for_user(user=user).filter(status=RefundStatus.DUE)
            .order_by("created_at", "pk"))
