"""The money stage's share of personal-data handling (registered with `dealership.privacy`
in ContractsConfig.ready()).

Contracts, payments and refunds are accounting records the law makes the store keep (the
Accounting Law: vouchers and books for 30 years), and PIPL Art. 47 lets a law's retention
period win over erasure. So an erasure keeps every row with its number and amounts and
replaces only the buyer's name, phone, ID number and address on the contract (and their
masked copies in the contract's audit rows). The signed PDF stays as it was stored: it is
the signed original itself. While a contract is open or money is owed either way, the
customer cannot be erased at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from contracts.enums import ContractStatus, PaymentKind, RefundStatus
from contracts.models import (
    ApprovalRequest,
    Contract,
    ContractDocument,
    ContractEvent,
    Payment,
    Quote,
    QuoteVersion,
    RefundObligation,
)
from dealership.models import Customer
from dealership.money import ZERO
from dealership.privacy import ANONYMISED_NAME
from dealership.services.audit import audit_forget_fields

# Contracts on their way to delivery: the customer is still a party to an open deal.
OPEN_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.IN_REVIEW,
                          ContractStatus.APPROVED, ContractStatus.SIGNED)
BUYER_FIELDS = ("buyer_name", "buyer_id_number", "buyer_phone", "buyer_address")


def contracts_export(customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """The customer's quotes with their versions and approvals, contracts with their events,
    PDFs (what is stored, not the file), payments and refunds: one query per section."""
    on_contracts = {"contract__customer": customer}
    return {
        "quotes": list(Quote.objects.filter(customer=customer)
                       .order_by("created_at", "pk").values()),
        "quote_versions": list(QuoteVersion.objects.filter(quote__customer=customer)
                               .order_by("quote_id", "number").values()),
        "discount_approvals": list(ApprovalRequest.objects.filter(quote__customer=customer)
                                   .order_by("requested_at", "pk").values()),
        "contracts": list(Contract.objects.filter(customer=customer)
                          .order_by("created_at", "pk").values()),
        "contract_events": list(ContractEvent.objects.filter(**on_contracts)
                                .order_by("created_at", "pk").values()),
        "contract_documents": list(ContractDocument.objects.filter(**on_contracts)
                                   .order_by("pk")
                                   .values("contract_id", "status", "language", "file",
                                           "sha256", "size", "rendered_at")),
        "payments": list(Payment.objects.filter(**on_contracts)
                         .order_by("received_at", "pk").values()),
        "refunds": list(RefundObligation.objects.filter(**on_contracts)
                        .order_by("created_at", "pk").values()),
    }


def contracts_anonymise(customer_ids: Sequence[int]) -> None:
    """Replace the buyer on the customers' contracts (numbers and money stay), and the
    buyer's masked copies in those contracts' audit rows."""
    QuoteVersion.objects.filter(quote__customer_id__in=customer_ids).update(note="")
    contracts = Contract.objects.filter(customer_id__in=customer_ids)
    contract_ids = list(contracts.values_list("pk", flat=True))
    if not contract_ids:
        return
    contracts.update(buyer_name=ANONYMISED_NAME, buyer_id_number="", buyer_phone="",
                     buyer_address="")
    audit_forget_fields(model=Contract, object_ids=contract_ids, fields=BUYER_FIELDS)


def _net_received() -> Coalesce:
    """Money received on the outer contract, net of refunds, as a correlated subquery."""
    def total(kinds: Q) -> Subquery:
        return Subquery(Payment.objects.filter(kinds, contract=OuterRef("pk")).order_by()
                        .values("contract").annotate(total=Sum("amount")).values("total"),
                        output_field=DecimalField(max_digits=14, decimal_places=2))

    return (Coalesce(total(~Q(kind=PaymentKind.REFUND)), ZERO)
            - Coalesce(total(Q(kind=PaymentKind.REFUND)), ZERO))


def contracts_blocker(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Customers with an open contract, a delivered one not fully paid, or a refund the
    store still owes them."""
    # The asked customers' delivered contracts only (their customer index), not the group's.
    unpaid = (Contract.objects.filter(customer__in=customers, status=ContractStatus.DELIVERED)
              .annotate(received=_net_received()).filter(received__lt=F("amount_due"))
              .values("customer_id"))
    return customers.filter(
        Q(contracts__status__in=OPEN_CONTRACT_STATUSES)
        | Q(contracts__refund_obligation__status=RefundStatus.DUE) | Q(pk__in=unpaid))


def contracts_retention_hold(customers: QuerySet[Customer], since: dt.datetime
                             ) -> QuerySet[Customer]:
    """Customers with a contract (they converted: their records are kept as they are), or
    a quote worked on since `since`."""
    return customers.filter(Q(contracts__isnull=False) | Q(quotes__updated_at__gte=since))
