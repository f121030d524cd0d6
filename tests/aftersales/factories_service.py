"""Builders and personas of the service-desk tests (no tests here): an owner whose car was
handed over through the real services (so the care plan exists), and appointments put
straight into a day (their place taken as the booking service does)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from aftersales.enums import AppointmentStatus, AppointmentType, CareStepKind
from aftersales.models import Appointment, CareStep, ServiceDay
from aftersales.models.service import DEFAULT_DAILY_CAPACITY
from tests.aftersales.builders import delivered
from tests.factories import CustomerFactory

NINE_THIRTY = dt.time(9, 30)


def owner(consultant, manager, *, customer=None, name: str | None = None, **kwargs):
    """A customer of the consultant's store with a car handed over to them.
    Returns (customer, vehicle, contract)."""
    if customer is None:
        extra = {"name": name} if name else {}
        customer = CustomerFactory(store=consultant.store, owner=consultant, **extra)
    contract, vehicle = delivered(consultant, manager, customer=customer, **kwargs)
    return customer, vehicle, contract


def first_maintenance_step(customer) -> CareStep:
    return CareStep.objects.get(customer=customer, kind=CareStepKind.FIRST_MAINTENANCE)


def take_place(*, store, day, appointment_type, capacity=DEFAULT_DAILY_CAPACITY) -> ServiceDay:
    row, _created = ServiceDay.objects.get_or_create(
        store=store, day=day, appointment_type=appointment_type,
        defaults={"capacity": capacity})
    ServiceDay.objects.filter(pk=row.pk).update(booked=F("booked") + 1)
    row.refresh_from_db()
    return row


def appointment(*, customer, vehicle=None, day, slot=NINE_THIRTY,
                appointment_type=AppointmentType.MAINTENANCE,
                status=AppointmentStatus.BOOKED, **fields) -> Appointment:
    """An appointment as the booking leaves it (its place taken), in `status`."""
    take_place(store=customer.store, day=day, appointment_type=appointment_type)
    return Appointment.objects.create(store=customer.store, customer=customer,
                                      vehicle=vehicle, appointment_type=appointment_type,
                                      day=day, slot=slot, status=status, **fields)


def fill_day(*, store, day, appointment_type, capacity: int) -> ServiceDay:
    """A day whose places of the type are all taken (no appointment rows needed)."""
    row, _created = ServiceDay.objects.update_or_create(
        store=store, day=day, appointment_type=appointment_type,
        defaults={"capacity": capacity, "booked": capacity})
    return row
