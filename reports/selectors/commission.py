"""Commission per consultant per month (issue 13 §8; seed 002 提成, 阶梯式提成).

What a consultant earns in a store-local month:

- **Units**: the contracts of theirs delivered in the month (`delivered_at` in the store's
  month). A contract cancelled within its own delivery month is not a unit at all.
- **Unit amount** (阶梯式, tiered on the whole month): the month's units reach the tier with
  the highest start (`min_units`) not above them, and *every* unit of the month is paid at
  that tier's amount. With tiers 1→¥300, 5→¥400, 10→¥500: 4 units earn 4×300, 5 units
  5×400, 10 units 10×500. Below the first tier's start, units earn no unit amount.
- **Percentages**, per contract, each rounded to the fen: of the value-added revenue
  (packages and accessories, the same figure as the targets' "value-added revenue"), of
  the loan amount when the contract's loan was approved or disbursed (finance attached),
  and of the premiums of the insurance policies recorded on the contract.
- **Scheme**: the store's version in force for the month (the latest `valid_from` on or
  before the month's first day). Versions are never edited once their month has begun, so a
  past month's figures don't change when the scheme does.
- **Reversals**: contracts' state machine forbids cancelling a delivered contract
  (contracts.enums.CANCELLABLE_CONTRACT_STATUSES), but the data allows a contract with both
  moments (a correction by the administrator, an import). A contract cancelled in a month
  later than its delivery month keeps its line in the delivery month (that month is
  unchanged) and gets a negative line in the cancellation month equal to what it earned in
  its delivery month under that month's scheme and tier.

A statement costs a fixed number of queries whatever the number of consultants and
contracts: COMMISSION_STATEMENT_QUERIES for the store, one less for one consultant.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from dealership.models import Store, User
from dealership.money import HUNDRED, ZERO, fen
from delivery.enums import LOAN_GRANTED_STATUSES
from delivery.models import InsurancePolicy, LoanApplication
from reports.models import CommissionScheme, CommissionTier
from reports.selectors.targets import month_end, month_start

# Schemes and their tiers (2), the month's deliveries (1), the month's reversals (1), the
# reversed contracts' delivery months (1), the store's consultants (1).
COMMISSION_STATEMENT_QUERIES = 6
COMMISSION_MONTHS_BACK = 24


def commission_months(*, store: Store) -> list[dt.date]:
    """The months a statement may be asked for, newest first: this store month and the
    COMMISSION_MONTHS_BACK before it."""
    month = month_start(store.today())
    months = [month]
    for _ in range(COMMISSION_MONTHS_BACK):
        month = month_start(month - dt.timedelta(days=1))
        months.append(month)
    return months


def month_bounds(*, store: Store, month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The store-local month of `month` as an aware [start, end) pair."""
    return store.day_bounds(month_start(month))[0], store.day_bounds(month_end(month))[1]


def scheme_in_force(schemes: list[CommissionScheme], month: dt.date) -> CommissionScheme | None:
    """The version in force for `month` among `schemes` (any order): the latest whose
    `valid_from` is on or before the month's first day."""
    first = month_start(month)
    candidates = [scheme for scheme in schemes if scheme.valid_from <= first]
    return max(candidates, key=lambda scheme: scheme.valid_from, default=None)


def tier_reached(scheme: CommissionScheme | None, units: int) -> CommissionTier | None:
    """The tier `units` reach under `scheme` (its tiers prefetched), None below the first."""
    if scheme is None:
        return None
    reached = [tier for tier in scheme.tiers.all() if tier.min_units <= units]
    return max(reached, key=lambda tier: tier.min_units, default=None)


@dataclass(frozen=True)
class CommissionLine:
    """One contract on a consultant's monthly statement. A reversal's amounts are the
    negatives of what the contract earned in its delivery month."""

    contract_id: int
    number: str
    buyer_name: str
    delivered_on: dt.date
    cancelled_on: dt.date | None
    is_reversal: bool
    unit_amount: Decimal
    value_added: Decimal
    finance: Decimal
    insurance: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_amount + self.value_added + self.finance + self.insurance


@dataclass
class ConsultantCommission:
    """A consultant's month: units, the tier they reach, one line per delivered contract
    and one per reversal, and the totals payroll needs."""

    consultant: User
    month: dt.date
    scheme: CommissionScheme | None
    units: int = 0
    tier: CommissionTier | None = None
    lines: list[CommissionLine] = field(default_factory=list)

    @property
    def unit_amount(self) -> Decimal:
        return self.tier.amount_per_unit if self.tier is not None else ZERO

    def _sum(self, name: str, *, reversal: bool) -> Decimal:
        return sum((getattr(line, name) for line in self.lines
                    if line.is_reversal is reversal), ZERO)

    @property
    def units_total(self) -> Decimal:
        return self._sum("unit_amount", reversal=False)

    @property
    def value_added_total(self) -> Decimal:
        return self._sum("value_added", reversal=False)

    @property
    def finance_total(self) -> Decimal:
        return self._sum("finance", reversal=False)

    @property
    def insurance_total(self) -> Decimal:
        return self._sum("insurance", reversal=False)

    @property
    def reversals_total(self) -> Decimal:
        return self._sum("total", reversal=True)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)


@dataclass
class CommissionStatement:
    """The store's month: the scheme in force and one entry per consultant."""

    store: Store
    month: dt.date
    scheme: CommissionScheme | None
    consultants: list[ConsultantCommission]

    @property
    def total(self) -> Decimal:
        return sum((entry.total for entry in self.consultants), ZERO)

    @property
    def units(self) -> int:
        return sum(entry.units for entry in self.consultants)


def _money_sum(queryset) -> Coalesce:
    return Coalesce(Subquery(queryset), Value(ZERO),
                    output_field=DecimalField(max_digits=14, decimal_places=2))


def _contracts(store: Store):
    """The store's contracts with the bases of their percentages, as plain rows."""
    premiums = (InsurancePolicy.objects.filter(contract=OuterRef("pk"))
                .order_by().values("contract").annotate(total=Sum("premium")).values("total"))
    loan = (LoanApplication.objects.filter(contract=OuterRef("pk"),
                                           status__in=LOAN_GRANTED_STATUSES)
            .values("amount")[:1])
    return (Contract.objects.filter(store=store)
            .annotate(premiums=_money_sum(premiums), loan_amount=_money_sum(loan))
            .order_by("delivered_at", "pk")
            .values("pk", "number", "buyer_name", "consultant_id", "delivered_at",
                    "cancelled_at", "packages_total", "accessories_total", "premiums",
                    "loan_amount"))


def _line(row: dict, *, scheme: CommissionScheme | None, unit_amount: Decimal,
          tz, reversal: bool) -> CommissionLine:
    def percent(base: Decimal, rate: Decimal | None) -> Decimal:
        return fen(Decimal(base) * rate / HUNDRED) if rate else ZERO

    sign = -1 if reversal else 1
    value_added = percent(row["packages_total"] + row["accessories_total"],
                          scheme.value_added_percent if scheme else None)
    finance = percent(row["loan_amount"], scheme.finance_percent if scheme else None)
    insurance = percent(row["premiums"], scheme.insurance_percent if scheme else None)
    cancelled = row["cancelled_at"]
    return CommissionLine(
        contract_id=row["pk"], number=row["number"], buyer_name=row["buyer_name"],
        delivered_on=timezone.localdate(row["delivered_at"], tz),
        cancelled_on=timezone.localdate(cancelled, tz) if cancelled else None,
        is_reversal=reversal, unit_amount=sign * unit_amount, value_added=sign * value_added,
        finance=sign * finance, insurance=sign * insurance)


def commission_statement(*, store: Store, month: dt.date,
                         consultant: User | None = None) -> CommissionStatement:
    """`month`'s commission of the store's consultants (active ones, and anyone with a line
    in the month), or of `consultant` alone. See the module's docstring for the rules."""
    tz = store.tzinfo
    first = month_start(month)
    start, end = month_bounds(store=store, month=first)
    schemes = list(CommissionScheme.objects.filter(store=store, valid_from__lte=first)
                   .prefetch_related("tiers"))
    scheme = scheme_in_force(schemes, first)
    contracts = _contracts(store)
    if consultant is not None:
        contracts = contracts.filter(consultant=consultant)
    # A contract cancelled by the end of its delivery month was never a unit.
    delivered = list(contracts.filter(delivered_at__gte=start, delivered_at__lt=end)
                     .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end)))
    reversed_ = list(contracts.filter(status=ContractStatus.CANCELLED, cancelled_at__gte=start,
                                      cancelled_at__lt=end, delivered_at__lt=start))
    earned_in = _delivery_months(store=store, rows=reversed_)

    by_consultant: dict[int, ConsultantCommission] = {}
    units = Counter(row["consultant_id"] for row in delivered)
    if consultant is not None:
        people = [consultant]
    else:
        ids = {row["consultant_id"] for row in delivered + reversed_}
        people = list(User.objects.filter(
            Q(store=store, role=Role.CONSULTANT, is_active=True) | Q(pk__in=ids))
            .order_by("name", "username"))
    for person in people:
        tier = tier_reached(scheme, units[person.pk])
        by_consultant[person.pk] = ConsultantCommission(
            consultant=person, month=first, scheme=scheme, units=units[person.pk], tier=tier)
    for row in delivered:
        entry = by_consultant[row["consultant_id"]]
        entry.lines.append(_line(row, scheme=scheme, unit_amount=entry.unit_amount, tz=tz,
                                 reversal=False))
    for row in reversed_:
        delivery_month = month_start(timezone.localdate(row["delivered_at"], tz))
        then = scheme_in_force(schemes, delivery_month)
        tier = tier_reached(then, earned_in[(row["consultant_id"], delivery_month)])
        amount = tier.amount_per_unit if tier is not None else ZERO
        by_consultant[row["consultant_id"]].lines.append(
            _line(row, scheme=then, unit_amount=amount, tz=tz, reversal=True))
    return CommissionStatement(store=store, month=first, scheme=scheme,
                               consultants=list(by_consultant.values()))


def _delivery_months(*, store: Store, rows: list[dict]) -> Counter:
    """Units per (consultant id, delivery month) for the months the reversed contracts
    were delivered in, by the same rule as a statement's units. One query, always (an
    empty range without reversals), so a statement's query count never varies."""
    tz = store.tzinfo
    wanted = {(row["consultant_id"], month_start(timezone.localdate(row["delivered_at"], tz)))
              for row in rows}
    condition = Q(pk__isnull=True)  # matches nothing, still one query
    for consultant_id, month in wanted:
        start, end = month_bounds(store=store, month=month)
        condition |= Q(consultant_id=consultant_id, delivered_at__gte=start,
                       delivered_at__lt=end)
    counts: Counter = Counter()
    for consultant_id, delivered_at, cancelled_at in (
            Contract.objects.filter(store=store).filter(condition)
            .values_list("consultant_id", "delivered_at", "cancelled_at")):
        month = month_start(timezone.localdate(delivered_at, tz))
        if cancelled_at is None or cancelled_at >= month_bounds(store=store, month=month)[1]:
            counts[(consultant_id, month)] += 1
    return counts
