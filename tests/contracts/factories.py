"""Factories for the money stage. Quotes and contracts are made through their real
services, so every row a test sees is one the product could have written.

    quote = make_quote(consultant, customer, discount=Decimal("2000"))
    contract = make_contract(consultant, customer, manager=manager, status="signed")
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.enums import (
    ApprovalDecision,
    ContractStatus,
    PackageKind,
    PaymentChannel,
    PaymentKind,
)
from contracts.models import Accessory, ApprovalRequest, Contract, Quote, ValuePackage
from contracts.services import contracts as contract_services
from contracts.services import quotes as quote_services
from contracts.services.quotes import QuoteInput
from dealership.enums import Role
from tests.factories import StoreFactory, TrimFactory, UserFactory


class AccessoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accessory

    store = factory.SubFactory(StoreFactory)
    code = factory.Sequence(lambda n: f"ACC{n:03d}")
    name = factory.Sequence(lambda n: f"脚垫{n}")
    price = Decimal("800.00")


class ValuePackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValuePackage

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"首保套餐{n}")
    kind = PackageKind.MAINTENANCE
    price = Decimal("0.00")


def quote_input(trim=None, **kwargs) -> QuoteInput:
    """A full-payment quote of a ¥209,800 trim with no extras, unless told otherwise."""
    return QuoteInput(trim=trim or TrimFactory(), **kwargs)


def make_quote(author, customer, *, discount=Decimal("0"), lead=None, **kwargs) -> Quote:
    data = quote_input(discount=Decimal(discount), **kwargs)
    return quote_services.quote_create(actor=author, customer=customer, data=data, lead=lead)


def pending_approval(quote: Quote) -> ApprovalRequest:
    return ApprovalRequest.objects.get(quote=quote, status="pending")


def approved_quote(author, customer, *, discount=Decimal("2000"), approver=None,
                   **kwargs) -> Quote:
    """A quote ready for a contract: approved by `approver` when over the author's limit."""
    quote = make_quote(author, customer, discount=discount, **kwargs)
    if quote.status == "pending":
        quote_services.approval_decide(actor=approver, approval=pending_approval(quote),
                                       decision=ApprovalDecision.APPROVE, comment="ok")
        quote.refresh_from_db()
    return quote


def _manager_of(store):
    return UserFactory(role=Role.MANAGER, store=store)


def pay_the_balance(contract: Contract) -> None:
    """Finance records the rest of the contract's price (through the ledger's service)."""
    from contracts.selectors.ledger import balance_due
    from contracts.services.ledger import payment_record

    finance = UserFactory(role=Role.FINANCE, store=contract.store)
    due = balance_due(contract=contract)
    if due > 0:
        payment_record(actor=finance, contract=contract, kind=PaymentKind.BALANCE,
                       channel=PaymentChannel.TRANSFER, amount=due,
                       receipt_number=f"B{contract.pk:06d}", received_at=timezone.now())


def make_contract(consultant, customer, *, manager=None, status=ContractStatus.DRAFT,
                  deposit=Decimal("5000"), complete=True, paid=True,
                  **quote_kwargs) -> Contract:
    """A contract driven through the real transitions up to `status`. A delivered or
    closed one has its balance paid unless `paid=False` (then it can only be delivered)."""
    quote = approved_quote(consultant, customer, approver=manager, **quote_kwargs)
    contract = contract_services.contract_draft(actor=consultant, quote=quote)
    if complete:
        contract = contract_services.contract_update(
            actor=consultant, contract=contract, buyer_address="深圳市南山区科技园1号",
            buyer_id_number=customer.id_number or "11010519491231002X",
            deposit_amount=Decimal(deposit),
            promised_delivery_date=contract.store.today() + dt.timedelta(days=14))
    if status == ContractStatus.DRAFT:
        return contract
    if status == ContractStatus.CANCELLED:
        return contract_services.contract_cancel(actor=consultant, contract=contract,
                                                 reason="客户改变主意")
    contract = contract_services.contract_submit(actor=consultant, contract=contract)
    if status == ContractStatus.IN_REVIEW:
        return contract
    manager = manager or _manager_of(contract.store)
    contract = contract_services.contract_approve(actor=manager, contract=contract)
    if status == ContractStatus.APPROVED:
        return contract
    contract = contract_services.contract_sign(
        actor=consultant, contract=contract, customer_signed=True,
        deposit_channel=PaymentChannel.WECHAT, receipt_number=f"R{contract.pk:06d}")
    if status == ContractStatus.SIGNED:
        return contract
    if paid:
        pay_the_balance(contract)
    contract = contract_services.contract_mark_delivered(actor=consultant, contract=contract)
    if status == ContractStatus.DELIVERED:
        return contract
    return contract_services.contract_close(actor=manager, contract=contract)
