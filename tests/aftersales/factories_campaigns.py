"""Builders for the segment and campaign tests (no tests here). Contracts go through the
real contract services (tests/contracts/factories.py); the after-sales rows the segments
read (service items, surveys, complaints, referrals) are written directly, with only the
fields the segments look at made meaningful."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from aftersales.enums import (
    CampaignKind,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    SurveyKind,
)
from aftersales.models import (
    CareCampaign,
    Complaint,
    Referral,
    ServiceItem,
    ServiceRecord,
    Survey,
)
from contracts.enums import ContractStatus
from dealership.enums import ConsentSource
from leads.enums import Channel
from showroom.models import Visit
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, TrimFactory
from tests.leads.factories import LeadFactory

_numbers = itertools.count(1)


def owner(consultant, manager, *, price: str = "209800", consent: bool = True,
          status: str = ContractStatus.DELIVERED, **customer_kwargs):
    """A customer of the consultant with one contract (delivered unless told otherwise) of
    a car listed at `price`, no discount and no extras: the contract's out-the-door price
    is `price`."""
    if consent:
        customer_kwargs.setdefault("marketing_consent", True)
        customer_kwargs.setdefault("consent_at", timezone.now())
        customer_kwargs.setdefault("consent_source", ConsentSource.SHOWROOM_FORM)
    customer = CustomerFactory(store=consultant.store, owner=consultant, **customer_kwargs)
    buy(consultant, manager, customer, price=price, status=status)
    return customer


def buy(consultant, manager, customer, *, price: str, status: str = ContractStatus.DELIVERED):
    return make_contract(consultant, customer, manager=manager, status=status,
                         discount=Decimal("0"), trim=TrimFactory(msrp=Decimal(price)))


def service_spend(customer, advisor, *amounts: str, on: dt.date | None = None):
    record = ServiceRecord.objects.create(
        store=customer.store, customer=customer, appointment_type="maintenance",
        serviced_on=on or customer.store.today(), mileage=5000, advisor=advisor)
    for amount in amounts:
        ServiceItem.objects.create(store=record.store, record=record, description="保养",
                                   amount=Decimal(amount))
    return record


def visit(customer, *, usage: str = "", customer_type: str = "", budget_max: int | None = None,
          arrived_at: dt.datetime | None = None):
    return Visit.objects.create(store=customer.store, customer=customer, usage=usage,
                                customer_type=customer_type, budget_max=budget_max,
                                arrived_at=arrived_at or timezone.now())


def answered_survey(customer, contract, *, lowest: int, answered_at: dt.datetime | None = None):
    answered_at = answered_at or timezone.now()
    return Survey.objects.create(
        store=customer.store, customer=customer, kind=SurveyKind.DELIVERY, contract=contract,
        token=f"campaign-test-{next(_numbers)}", expires_at=answered_at + dt.timedelta(days=7),
        answered_at=answered_at, lowest_score=lowest)


def complaint(customer, *, received_at: dt.datetime | None = None):
    received_at = received_at or timezone.now()
    return Complaint.objects.create(
        store=customer.store, number=f"CT{next(_numbers):06d}", customer=customer,
        channel=ComplaintChannel.PHONE, category=ComplaintCategory.AFTER_SALES,
        department=ComplaintDepartment.SERVICE, summary="等待时间太长",
        received_at=received_at, clock_started_at=received_at,
        response_due_at=received_at + dt.timedelta(hours=2),
        proposal_due_at=received_at + dt.timedelta(hours=24),
        resolution_due_at=received_at + dt.timedelta(hours=48))


def referral(referrer):
    lead = LeadFactory(store=referrer.store, channel=Channel.REFERRAL)
    return Referral.objects.create(store=referrer.store, referrer=referrer, lead=lead)


GREETING = "{name}您好，{store}{consultant}祝您新春快乐！"


def campaign(store, *, actor=None, segment=None, template=GREETING, **kwargs) -> CareCampaign:
    kwargs.setdefault("name", "春节问候")
    kwargs.setdefault("kind", CampaignKind.HOLIDAY_GREETING)
    return CareCampaign.objects.create(store=store, created_by=actor, template=template,
                                       segment=segment or {}, **kwargs)
