"""Where a contract stands with its money: what is due, what came in, what the lender
still owes and what is the customer's part; the store's receivables for finance.

The balance is derived from the contract's price and the ledger, never stored
(contracts.selectors.ledger.balance_due). A granted loan (approved or disbursed) covers
the part of the balance the lender has yet to pay out; the customer owes the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Contract, Payment
from contracts.selectors.contracts import contract_scope_for_user
from contracts.selectors.ledger import money_totals_by_contract
from dealership.models import User
from dealership.money import ZERO
from delivery.enums import LOAN_GRANTED_STATUSES, LoanStatus
from delivery.models import InsurancePolicy, LoanApplication

# The contracts money is still collected on (the ledger's rule too).
COLLECTING_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED)
# The contracts whose page shows the money card.
MONEY_PANEL_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED,
                        ContractStatus.CLOSED)


@dataclass(frozen=True)
class MoneyPosition:
    amount_due: Decimal        # the contract's price after the trade-in
    received: Decimal          # money in, net of refunds (loan disbursements included)
    balance_due: Decimal       # amount_due − received
    loan_status: str           # "" without a loan application
    loan_expected: Decimal     # the loan applied for (0 without one, or rejected)
    loan_received: Decimal     # the lender's disbursements so far
    customer_due: Decimal      # what the customer still has to pay themselves
    promised_payment_date: dt.date | None
    today: dt.date

    @property
    def loan_granted(self) -> bool:
        return self.loan_status in LOAN_GRANTED_STATUSES

    @property
    def loan_outstanding(self) -> Decimal:
        """What the lender has yet to pay out on a granted loan."""
        if not self.loan_granted:
            return ZERO
        return max(ZERO, self.loan_expected - self.loan_received)

    @property
    def settled(self) -> bool:
        """The delivery gate's money condition: nothing left to pay, or a granted loan and
        the customer's own part paid."""
        return self.balance_due <= 0 or (self.loan_granted and self.customer_due <= 0)

    @property
    def overdue(self) -> bool:
        return (self.customer_due > 0 and self.promised_payment_date is not None
                and self.promised_payment_date < self.today)

    @property
    def overdue_days(self) -> int:
        return (self.today - self.promised_payment_date).days if self.overdue else 0


def _position(contract: Contract, totals: dict[str, Decimal],
              loan: tuple[str, Decimal] | None, today: dt.date) -> MoneyPosition:
    received = totals["paid"] - totals["refunded"]
    balance = contract.amount_due - received
    status, applied = loan if loan is not None else ("", ZERO)
    expected = applied if status and status != LoanStatus.REJECTED else ZERO
    loan_in = totals["loan"]
    if status in LOAN_GRANTED_STATUSES:
        customer = max(ZERO, balance - max(ZERO, expected - loan_in))
    else:
        customer = max(ZERO, balance)
    return MoneyPosition(amount_due=contract.amount_due, received=received,
                         balance_due=balance, loan_status=status, loan_expected=expected,
                         loan_received=loan_in, customer_due=customer,
                         promised_payment_date=contract.promised_payment_date, today=today)


_NO_TOTALS = {"paid": ZERO, "refunded": ZERO, "loan": ZERO}


def money_positions(contracts: Iterable[Contract], *,
                    today: dt.date | None = None) -> dict[int, MoneyPosition]:
    """{contract id: MoneyPosition} in two queries whatever the number of contracts (the
    payments aggregated per contract, the loan applications). `today` is the store's day
    (read from each contract's store when not given: select_related("store") then)."""
    contracts = list(contracts)
    if not contracts:
        return {}
    ids = [contract.pk for contract in contracts]
    totals = money_totals_by_contract(ids)
    loans = {row[0]: (row[1], row[2]) for row in LoanApplication.objects.filter(
        contract_id__in=ids).values_list("contract_id", "status", "amount")}
    days: dict[int, dt.date] = {}
    positions = {}
    for contract in contracts:
        day = today
        if day is None:
            day = days.get(contract.store_id) or days.setdefault(
                contract.store_id, contract.store.today())
        positions[contract.pk] = _position(contract, totals.get(contract.pk, _NO_TOTALS),
                                           loans.get(contract.pk), day)
    return positions


def money_position(contract: Contract, *, today: dt.date | None = None) -> MoneyPosition:
    """One contract's position (two queries)."""
    return money_positions([contract], today=today)[contract.pk]


# --- The same arithmetic in SQL, for lists that filter, sort and total ---------------------
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(condition: Q):
    rows = (Payment.objects.filter(condition, contract_id=OuterRef("pk")).order_by()
            .values("contract_id").annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def with_money(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate each contract with money_paid, money_refunded, money_loan_in, m_loan_status,
    m_loan_amount, m_balance and m_customer_due (the MoneyPosition arithmetic in SQL), so
    a list can filter, order and total on them in one query."""
    loan = LoanApplication.objects.filter(contract_id=OuterRef("pk"))
    granted = Q(m_loan_status__in=LOAN_GRANTED_STATUSES)
    return (contracts
            .annotate(money_paid=_sum_of(~Q(kind=PaymentKind.REFUND)),
                      money_refunded=_sum_of(Q(kind=PaymentKind.REFUND)),
                      money_loan_in=_sum_of(Q(kind=PaymentKind.LOAN)),
                      m_loan_status=Coalesce(Subquery(loan.values("status")[:1]),
                                             Value(""), output_field=CharField()),
                      m_loan_amount=Coalesce(Subquery(loan.values("amount")[:1]),
                                             Value(ZERO), output_field=_MONEY))
            .annotate(m_balance=ExpressionWrapper(
                F("amount_due") - F("money_paid") + F("money_refunded"), output_field=_MONEY))
            .annotate(m_customer_due=Case(
                When(granted, then=Greatest(
                    Value(ZERO),
                    F("m_balance") - Greatest(Value(ZERO),
                                              F("m_loan_amount") - F("money_loan_in")),
                    output_field=_MONEY)),
                default=Greatest(Value(ZERO), F("m_balance"), output_field=_MONEY),
                output_field=_MONEY)))


def overdue_q(today: dt.date) -> Q:
    """On an annotated queryset (with_money): the customer's part is late."""
    return Q(m_customer_due__gt=0, promised_payment_date__lt=today)


def receivables_for_user(*, user: User, overdue_only: bool = False,
                         consultant_id: int | None = None,
                         plan: str = "") -> QuerySet[Contract]:
    """The store's signed and delivered contracts with something still due, earliest
    promised payment date first (none last), each annotated by with_money."""
    rows = (with_money(contract_scope_for_user(user).filter(
                store_id=user.store_id, status__in=COLLECTING_STATUSES))
            .filter(m_balance__gt=0)
            .select_related("consultant"))
    if overdue_only:
        rows = rows.filter(overdue_q(user.store.today()))
    if consultant_id:
        rows = rows.filter(consultant_id=consultant_id)
    if plan:
        rows = rows.filter(payment_plan=plan)
    return rows.order_by(F("promised_payment_date").asc(nulls_last=True), "signed_at", "pk")


def receivables_totals(rows: QuerySet[Contract], *, today: dt.date) -> dict[str, Decimal | int]:
    """Totals of a receivables list in one query: how many, the balance outstanding, the
    customers' part, and the customers' part that is overdue."""
    totals = rows.order_by().aggregate(
        count=Count("pk"), outstanding=Sum("m_balance"), customer=Sum("m_customer_due"),
        overdue=Sum("m_customer_due", filter=overdue_q(today)))
    return {"count": totals["count"],
            "outstanding": totals["outstanding"] or ZERO,
            "customer": totals["customer"] or ZERO,
            "overdue": totals["overdue"] or ZERO}


# --- The contract page's card ------------------------------------------------------------
@dataclass
class MoneyPanel:
    position: MoneyPosition
    loan: LoanApplication | None
    documents_done: int
    documents_total: int
    policies: list[InsurancePolicy]
    # What the viewer may do (set by the template tag).
    can_record: bool = False
    can_arrange: bool = False
    can_set_date: bool = False


def money_panel(contract: Contract) -> MoneyPanel:
    """The contract page's "Payment, loan and insurance" card: four queries (payments,
    loan for the position, the loan row, the policies)."""
    from delivery.enums import LoanDocument

    position = money_position(contract)
    loan = LoanApplication.objects.filter(contract=contract).first()
    docs = loan.documents if loan is not None else {}
    done = sum(1 for value in LoanDocument.values if docs.get(value))
    policies = list(InsurancePolicy.objects.filter(contract=contract).order_by("starts_on", "pk"))
    return MoneyPanel(position=position, loan=loan, documents_done=done,
                      documents_total=len(LoanDocument.values), policies=policies)
