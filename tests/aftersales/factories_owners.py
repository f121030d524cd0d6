"""Builders for the owner's-file tests: a contract delivered through the contract
services at a chosen moment with its car and plate (without delivery's handover service,
so no other area's receiver runs), and the after-sales rows the file reads (service
records, care steps, surveys, complaints, a points account) written as their services
would leave them."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from aftersales.enums import (
    AppointmentType,
    CareChannel,
    CareStepKind,
    CareStepStatus,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintStatus,
    SurveyKind,
)
from aftersales.models import (
    CarePlan,
    CareStep,
    Complaint,
    LoyaltyAccount,
    ServiceItem,
    ServiceRecord,
    Survey,
)
from contracts.enums import ContractStatus
from dealership.enums import StockStatus
from delivery.models import Allocation, Handover
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, StockVehicleFactory

_numbers = itertools.count(1)


def local(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant at a wall-clock time of the store."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def owned(consultant, manager, *, customer=None, at: dt.datetime | None = None,
          plate: str = "", with_car: bool = True):
    """A contract delivered at `at` (the clock is the outside world) with a car allocated
    and a handover carrying `plate`. Returns (contract, vehicle or None)."""
    customer = customer or CustomerFactory(store=consultant.store, owner=consultant)
    if at is None:
        contract = make_contract(consultant, customer, manager=manager,
                                 status=ContractStatus.DELIVERED)
    else:
        with mock.patch.object(timezone, "now", return_value=at):
            contract = make_contract(consultant, customer, manager=manager,
                                     status=ContractStatus.DELIVERED)
    vehicle = None
    if with_car:
        vehicle = StockVehicleFactory(store=contract.store, trim=contract.trim,
                                      status=StockStatus.DELIVERED)
        Allocation.objects.create(store=contract.store, contract=contract, vehicle=vehicle,
                                  allocated_by=manager)
    Handover.objects.create(store=contract.store, contract=contract, plate_number=plate,
                            plate_registered_on=(timezone.localdate(contract.delivered_at)
                                                 if plate else None),
                            completed_at=contract.delivered_at, completed_by=consultant)
    contract.refresh_from_db()
    return contract, vehicle


def service_record(customer, advisor, *, vehicle=None, serviced_on: dt.date,
                   mileage: int = 5000, next_due_on: dt.date | None = None,
                   next_due_km: int | None = None,
                   items: tuple[tuple[str, str], ...] = (("机油机滤", "380.00"),)):
    record = ServiceRecord.objects.create(
        store=customer.store, customer=customer, vehicle=vehicle,
        appointment_type=AppointmentType.FIRST_MAINTENANCE, serviced_on=serviced_on,
        mileage=mileage, advisor=advisor, next_due_on=next_due_on, next_due_km=next_due_km)
    for description, amount in items:
        ServiceItem.objects.create(store=record.store, record=record,
                                   description=description, amount=Decimal(amount))
    return record


def care_plan(contract, *, vehicle=None):
    delivered_on = timezone.localdate(contract.delivered_at, contract.store.tzinfo)
    return CarePlan.objects.create(store=contract.store, contract=contract,
                                   customer=contract.customer, vehicle=vehicle,
                                   consultant=contract.consultant,
                                   delivered_at=contract.delivered_at,
                                   delivered_on=delivered_on)


def care_step(plan, *, kind: str, due_on: dt.date, status: str = CareStepStatus.SCHEDULED,
              done_at: dt.datetime | None = None, outcome: str = "", done_by=None):
    channel = (CareChannel.CALL if kind == CareStepKind.THANK_YOU_CALL
               else CareChannel.MESSAGE)
    return CareStep.objects.create(store=plan.store, plan=plan, customer=plan.customer,
                                   kind=kind, channel=channel, due_on=due_on, status=status,
                                   done_at=done_at, outcome=outcome, done_by=done_by)


def answered_survey(contract, *, answered_at: dt.datetime, lowest_score: int):
    return Survey.objects.create(
        store=contract.store, customer=contract.customer, kind=SurveyKind.DELIVERY,
        contract=contract, staff=contract.consultant, token=secrets.token_hex(16),
        created_at=answered_at - dt.timedelta(hours=2),
        expires_at=answered_at + dt.timedelta(days=14), answered_at=answered_at,
        lowest_score=lowest_score)


def complaint(customer, *, received_at: dt.datetime, closed_at: dt.datetime | None = None,
              summary: str = "空调异响"):
    number = f"TS{next(_numbers):06d}"
    closed = closed_at is not None
    return Complaint.objects.create(
        store=customer.store, number=number, customer=customer,
        channel=ComplaintChannel.PHONE, category=ComplaintCategory.PRODUCT_QUALITY,
        department=ComplaintDepartment.SERVICE, summary=summary, description=summary,
        status=ComplaintStatus.CLOSED if closed else ComplaintStatus.OPEN,
        received_at=received_at, clock_started_at=received_at,
        response_due_at=received_at + dt.timedelta(hours=2),
        proposal_due_at=received_at + dt.timedelta(hours=24),
        resolution_due_at=received_at + dt.timedelta(hours=48),
        closed_at=closed_at, customer_feedback="满意" if closed else "",
        customer_satisfied=True if closed else None)


def points_account(customer, *, balance: int):
    return LoyaltyAccount.objects.create(store=customer.store, customer=customer,
                                         balance=balance)
