"""After-sales demo data: the service desk. The workshop's capacity set by the manager;
the owners of delivery's demo booked in through the services: visits completed today with
their records (items with amounts), one car at the workshop (checked in), visits waiting
today, tomorrow and next week, one cancelled, and a first maintenance booked from its
day-30 reminder. A second seeding finds the store's appointments and adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation

from aftersales.enums import OPEN_CARE_STEP_STATUSES, AppointmentType, CareStepKind
from aftersales.models import Appointment, CareStep
from aftersales.selectors.service import (
    SLOT_TIMES,
    booking_range,
    owner_cars,
    owner_vehicles,
)
from aftersales.services.service import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    service_capacity_set,
)
from dealership.enums import Role
from dealership.models import Customer, Store, User

LANGUAGE = "zh-hans"
CAPACITY = {AppointmentType.FIRST_MAINTENANCE: 6, AppointmentType.MAINTENANCE: 8,
            AppointmentType.REPAIR: 4, AppointmentType.WARRANTY: 3}
ITEMS = {
    AppointmentType.FIRST_MAINTENANCE: [("首保机油机滤更换", "0.00"), ("全车检查", "0.00")],
    AppointmentType.MAINTENANCE: [("机油机滤更换", "468.00"), ("空气滤芯", "128.00"),
                                  ("工时费", "150.00")],
    AppointmentType.REPAIR: [("前刹车片更换", "680.00"), ("工时费", "200.00")],
    AppointmentType.WARRANTY: [("车机系统升级（保修）", "0.00")],
}
NOTES = ("客户反映起步有轻微异响", "顺便检查胎压", "客户等待取车", "")


def _staff(store: Store, role: str) -> User | None:
    return User.objects.filter(store=store, role=role, is_active=True).order_by("pk").first()


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    advisor, carer = _staff(store, Role.SERVICE_ADVISOR), _staff(store, Role.CUSTOMER_CARE)
    manager = _staff(store, Role.MANAGER)
    if advisor is None or Appointment.objects.filter(store=store).exists():
        return
    with translation.override(LANGUAGE):
        if manager is not None:
            service_capacity_set(actor=manager, store=store, capacities=dict(CAPACITY))
        cars = owner_cars(store_id=store.pk)
        customers = Customer.objects.in_bulk([customer_id for customer_id, _pk in cars])
        vehicles = {vehicle.pk: vehicle for vehicle in owner_vehicles(store_id=store.pk)}
        owners = [(customers[customer_id], vehicles[vehicle_id])
                  for customer_id, vehicle_id in cars]
        rng.shuffle(owners)
        reminded = _from_the_reminder(carer or advisor, store)
        _book_the_days(rng, advisor, store,
                       [(customer, car) for customer, car in owners if customer.pk != reminded])


def _from_the_reminder(actor: User, store: Store) -> int | None:
    """The oldest open day-30 reminder booked in one click, as the desk does; its
    customer's id."""
    step = (CareStep.objects.filter(store=store, kind=CareStepKind.FIRST_MAINTENANCE,
                                    status__in=OPEN_CARE_STEP_STATUSES,
                                    due_on__lte=store.today())
            .select_related("customer", "plan__vehicle").order_by("due_on", "pk").first())
    if step is None:
        return None
    today, _last = booking_range(store)
    appointment_book(actor=actor, customer=step.customer, vehicle=step.plan.vehicle,
                     appointment_type=AppointmentType.FIRST_MAINTENANCE,
                     day=today + dt.timedelta(days=1), slot=SLOT_TIMES[0], care_step=step)
    return step.customer_id


def _book_the_days(rng: random.Random, advisor: User, store: Store, owners: list) -> None:
    today = store.today()
    plan = [(0, "completed"), (0, "completed"), (0, "checked_in"), (0, "booked"),
            (1, "booked"), (1, "booked"), (7, "booked"), (8, "cancelled"), (9, "booked")]
    kinds = list(AppointmentType.values)
    for (offset, state), (customer, vehicle) in zip(plan, owners, strict=False):
        slot = SLOT_TIMES[rng.randrange(len(SLOT_TIMES))]
        visit = None
        # A type with a place left that day (the desk would offer the next one too).
        for kind in rng.sample(kinds, len(kinds)):
            try:
                visit = appointment_book(
                    actor=advisor, customer=customer, vehicle=vehicle, appointment_type=kind,
                    day=today + dt.timedelta(days=offset), slot=slot, note=rng.choice(NOTES))
            except ValidationError:
                continue
            break
        if visit is None:
            continue
        if state == "cancelled":
            appointment_cancel(actor=advisor, appointment=visit, reason="客户出差，改期再约")
            continue
        if state == "booked":
            continue
        mileage = rng.randrange(3000, 30000)
        visit = appointment_check_in(actor=advisor, appointment=visit, mileage=mileage)
        if state == "completed":
            appointment_complete(actor=advisor, appointment=visit,
                                 mileage=mileage + rng.randrange(0, 5),
                                 items=[(text, Decimal(amount)) for text, amount in ITEMS[kind]],
                                 note="已完成，客户满意")
