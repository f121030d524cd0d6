"""Builders for the commission tests: schemes through the area's service, contracts
delivered through contracts' real transitions at a chosen moment (the clock is the outside
world), loans and policies through delivery's services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from delivery.enums import InsuranceKind, LoanStatus
from delivery.services.finance import insurance_add, loan_decide, loan_submit
from reports.services.commission import SchemePercents, TierInput, commission_scheme_create
from tests.contracts.factories import AccessoryFactory, ValuePackageFactory, make_contract
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIERS = ((1, "300"), (5, "400"), (10, "500"))


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of a store day in Shanghai (the test stores' time zone)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def make_scheme(store, manager, *, month: dt.date, tiers=TIERS, value_added="0",
                finance="0", insurance="0", note=""):
    """A version from `month`, decided on its first day."""
    return commission_scheme_create(
        store=store, valid_from=month, actor=manager, note=note,
        tiers=[TierInput(min_units=units, amount_per_unit=Decimal(amount))
               for units, amount in tiers],
        percents=SchemePercents(value_added=Decimal(value_added), finance=Decimal(finance),
                                insurance=Decimal(insurance)),
        now=at(month, 9))


def deliver(consultant, customer, manager, *, when: dt.datetime, packages=(),
            accessories=()) -> Contract:
    """A contract of `consultant` signed, paid and delivered at `when`. `packages` are
    prices of value-added packages; `accessories` (price, quantity) pairs."""
    store = consultant.store
    with mock.patch.object(timezone, "now", return_value=when):
        contract = make_contract(
            consultant, customer, manager=manager, status=ContractStatus.DELIVERED,
            packages=[ValuePackageFactory(store=store, price=Decimal(price))
                      for price in packages],
            accessories=[(AccessoryFactory(store=store, price=Decimal(price)), quantity)
                         for price, quantity in accessories])
    assert contract.delivered_at == when
    return contract


def grant_loan(contract, *, amount: str, when: dt.datetime, approve: bool = True):
    finance = UserFactory(role=Role.FINANCE, store=contract.store)
    with mock.patch.object(timezone, "now", return_value=when):
        loan = loan_submit(actor=finance, contract=contract, lender="招商银行",
                           amount=Decimal(amount), term_months=36, annual_rate=Decimal("3.5"))
        if approve:
            loan = loan_decide(actor=finance, loan=loan, status=LoanStatus.APPROVED)
    return loan


def add_policy(contract, *, premium: str, when: dt.datetime, number: str,
               kind=InsuranceKind.COMMERCIAL):
    finance = UserFactory(role=Role.FINANCE, store=contract.store)
    starts = when.astimezone(SHANGHAI).date()
    with mock.patch.object(timezone, "now", return_value=when):
        return insurance_add(actor=finance, contract=contract, insurer="平安保险", kind=kind,
                             premium=Decimal(premium), policy_number=number,
                             starts_on=starts, ends_on=starts + dt.timedelta(days=365))


def cancel_after_delivery(contract, *, when: dt.datetime) -> None:
    """Contracts' state machine refuses to cancel a delivered contract; the data allows
    it (an administrator's correction), and the commission must reverse it. Written as
    such a correction would be: the row itself."""
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.CANCELLED, cancelled_at=when, cancel_reason="客户退车")
