"""Reads of the service desk: the slots and the booking range, the store's capacity per
type and the places left on a day, the appointments and records a user may open, and the
desk, day and week boards (a fixed number of queries whatever the row count)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from aftersales.enums import (
    CAPACITY_HOLDING_STATUSES,
    OPEN_CARE_STEP_STATUSES,
    AppointmentStatus,
    AppointmentType,
    CareStepKind,
)
from aftersales.models import (
    Appointment,
    CareSettings,
    CareStep,
    ServiceCapacity,
    ServiceDay,
    ServiceRecord,
)
from aftersales.models.service import DEFAULT_DAILY_CAPACITY
from aftersales.permissions import customer_scope_q
from dealership.enums import StockStatus
from dealership.models import Customer, StockVehicle, Store, User
from delivery.models import Allocation

# The workshop's slots, the same every day: 08:30 to 16:30, one an hour.
SLOT_TIMES: tuple[dt.time, ...] = tuple(dt.time(hour, 30) for hour in range(8, 17))
# A booking is for the store's today up to 90 days ahead.
BOOKING_HORIZON_DAYS = 90
# The day and week calendars look a year either side of today.
CALENDAR_SPAN_DAYS = 366
# Appointments a booking or a visit may still change (the others are history).
OPEN_APPOINTMENT_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def booking_range(store: Store) -> tuple[dt.date, dt.date]:
    """The days a booking may take: the store's today to 90 days ahead."""
    today = store.today()
    return today, today + dt.timedelta(days=BOOKING_HORIZON_DAYS)


def care_settings_of(store: Store) -> CareSettings:
    """The store's after-sales settings, or the defaults (unsaved) before its first edit."""
    return CareSettings.objects.filter(store_id=store.pk).first() or CareSettings(store=store)


# --- Capacity -------------------------------------------------------------------------------
def capacity_by_type(*, store_id: int) -> dict[str, int]:
    """The daily capacity of each appointment type (the default where none is set)."""
    capacity = dict.fromkeys(AppointmentType.values, DEFAULT_DAILY_CAPACITY)
    capacity.update(ServiceCapacity.objects.filter(store_id=store_id)
                    .values_list("appointment_type", "daily_capacity"))
    return capacity


@dataclass
class Places:
    """Places of one type on one day."""

    appointment_type: str
    booked: int
    capacity: int

    @property
    def label(self) -> str:
        return AppointmentType(self.appointment_type).label

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def full(self) -> bool:
        return self.booked >= self.capacity


def places_between(*, store_id: int, start: dt.date, end: dt.date,
                   capacity: dict[str, int] | None = None) -> dict[dt.date, list[Places]]:
    """The places taken and the capacity per type for each day of [start, end], from the
    days' rows (a day without a row has none taken, at the store's capacity). Two queries
    (one when `capacity` is given)."""
    capacity = capacity if capacity is not None else capacity_by_type(store_id=store_id)
    rows = {(row.day, row.appointment_type): row for row in ServiceDay.objects.filter(
        store_id=store_id, day__gte=start, day__lte=end)}
    days: dict[dt.date, list[Places]] = {}
    day = start
    while day <= end:
        days[day] = []
        for kind in AppointmentType.values:
            row = rows.get((day, kind))
            days[day].append(Places(kind, row.booked if row else 0,
                                    row.capacity if row else capacity[kind]))
        day += dt.timedelta(days=1)
    return days


def first_free_day(*, store: Store, appointment_type: str, start: dt.date) -> dt.date | None:
    """The first day from `start` to the end of the booking range with a place of this
    type left, or None. Two queries."""
    _today, last = booking_range(store)
    if start > last:
        return None
    capacity = capacity_by_type(store_id=store.pk)[appointment_type]
    rows = {day: (booked, day_capacity) for day, booked, day_capacity in
            ServiceDay.objects.filter(store_id=store.pk, appointment_type=appointment_type,
                                      day__gte=start, day__lte=last)
            .values_list("day", "booked", "capacity")}
    day = start
    while day <= last:
        booked, day_capacity = rows.get(day, (0, capacity))
        if booked < day_capacity:
            return day
        day += dt.timedelta(days=1)
    return None


# --- Owners and their cars ------------------------------------------------------------------
def owner_vehicles(*, store_id: int, customer_id: int | None = None) -> QuerySet[StockVehicle]:
    """The store's delivered cars (of one customer when given): the car whose open
    allocation is on the customer's contract."""
    # One filter() call: the open allocation and the customer's contract are the same row.
    allocation = {"allocations__released_at__isnull": True}
    if customer_id is not None:
        allocation["allocations__contract__customer_id"] = customer_id
    return (StockVehicle.objects.filter(store_id=store_id, status=StockStatus.DELIVERED,
                                        **allocation)
            .select_related("trim__series").order_by("-updated_at", "-id").distinct())


def owner_cars(*, store_id: int) -> list[tuple[int, int]]:
    """(customer id, vehicle id) of each car of the store handed over to its buyer."""
    return list(Allocation.objects.filter(
        store_id=store_id, released_at__isnull=True, vehicle__status=StockStatus.DELIVERED,
    ).order_by("pk").values_list("contract__customer_id", "vehicle_id"))


def owners_for_store(*, store_id: int) -> QuerySet[Customer]:
    """The store's customers with a delivered car."""
    return (Customer.objects.filter(
        store_id=store_id, anonymised_at__isnull=True,
        pk__in=Allocation.objects.filter(
            store_id=store_id, released_at__isnull=True, vehicle__status=StockStatus.DELIVERED,
        ).values("contract__customer_id"))
        .order_by("name", "id"))


# --- Appointments and records ---------------------------------------------------------------
def appointment_scope_for_user(user: User) -> QuerySet[Appointment]:
    return Appointment.objects.filter(customer_scope_q(user), store_id=user.store_id)


def appointment_get_for_user(*, user: User, pk: int) -> Appointment:
    """One appointment of the user's store with what its page shows; 404 outside."""
    appointment = (appointment_scope_for_user(user)
                   .select_related("customer", "vehicle__trim__series", "advisor",
                                   "booked_by", "care_step", "store")
                   .filter(pk=pk).first())
    if appointment is None:
        raise Http404
    return appointment


def service_record_get_for_user(*, user: User, pk: int) -> ServiceRecord:
    record = (ServiceRecord.objects.filter(customer_scope_q(user), store_id=user.store_id)
              .select_related("customer", "vehicle__trim__series", "advisor", "appointment")
              .prefetch_related("items").filter(pk=pk).first())
    if record is None:
        raise Http404
    return record


def care_step_for_booking(*, user: User, pk: int) -> CareStep:
    """An open first-maintenance step of the user's store (?care_step= of the booking
    form); 404 otherwise."""
    step = (CareStep.objects.filter(customer_scope_q(user), store_id=user.store_id,
                                    kind=CareStepKind.FIRST_MAINTENANCE)
            .select_related("customer", "plan__vehicle").filter(pk=pk).first())
    if step is None:
        raise Http404
    return step


def customer_get_for_booking(*, user: User, pk: int) -> Customer:
    """A customer of the user's store (?customer= of the booking form: the booking roles
    see the whole store); 404 otherwise."""
    customer = Customer.objects.filter(store_id=user.store_id, pk=pk,
                                       anonymised_at__isnull=True).first()
    if customer is None:
        raise Http404
    return customer


def _appointments_for_screen(store_id: int) -> QuerySet[Appointment]:
    return (Appointment.objects.filter(store_id=store_id)
            .select_related("customer", "vehicle__trim__series", "advisor")
            .order_by("slot", "id"))


def appointments_of_day(*, store_id: int, day: dt.date,
                        include_cancelled: bool = True) -> QuerySet[Appointment]:
    appointments = _appointments_for_screen(store_id).filter(day=day)
    if not include_cancelled:
        appointments = appointments.exclude(status=AppointmentStatus.CANCELLED)
    return appointments


# --- The boards -----------------------------------------------------------------------------
@dataclass
class Desk:
    today: dt.date
    appointments: list[Appointment]
    tomorrow_count: int
    first_maintenance_due: list[CareStep]
    places_today: list[Places] = field(default_factory=list)


FIRST_MAINTENANCE_LIST = 20


def service_desk_board(*, user: User) -> Desk:
    """The advisor's desk: today's appointments, tomorrow's count, owners whose first
    maintenance is due (due or overdue and not booked), the places left today. Six
    queries."""
    store = user.store
    today = store.today()
    tomorrow = today + dt.timedelta(days=1)
    appointments = list(appointments_of_day(store_id=store.pk, day=today,
                                            include_cancelled=False))
    tomorrow_count = Appointment.objects.filter(
        store_id=store.pk, day=tomorrow, status__in=CAPACITY_HOLDING_STATUSES).count()
    due = list(CareStep.objects.filter(
        store_id=store.pk, kind=CareStepKind.FIRST_MAINTENANCE,
        status__in=OPEN_CARE_STEP_STATUSES, due_on__lte=today)
        .exclude(appointments__status__in=CAPACITY_HOLDING_STATUSES)
        .select_related("customer", "plan__vehicle__trim__series")
        .order_by("due_on", "id")[:FIRST_MAINTENANCE_LIST])
    places = places_between(store_id=store.pk, start=today, end=today)[today]
    return Desk(today=today, appointments=appointments, tomorrow_count=tomorrow_count,
                first_maintenance_due=due, places_today=places)


@dataclass
class CalendarDay:
    day: dt.date
    places: list[Places]
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def booked(self) -> int:
        return sum(p.booked for p in self.places)

    @property
    def capacity(self) -> int:
        return sum(p.capacity for p in self.places)


def service_day_board(*, store: Store, day: dt.date) -> CalendarDay:
    """One day: its appointments by slot (the cancelled shown too) and the places per
    type. Three queries."""
    places = places_between(store_id=store.pk, start=day, end=day)[day]
    return CalendarDay(day=day, places=places,
                       appointments=list(appointments_of_day(store_id=store.pk, day=day)))


def service_week_board(*, store: Store, start: dt.date) -> list[CalendarDay]:
    """Seven days from `start`: places per type and the count of appointments by status.
    Two queries."""
    end = start + dt.timedelta(days=6)
    places = places_between(store_id=store.pk, start=start, end=end)
    return [CalendarDay(day=day, places=day_places) for day, day_places in places.items()]


def open_appointment_exists(*, store_id: int, day: dt.date, customer_id: int,
                            vehicle_id: int | None) -> bool:
    """The same car (or customer, without a car) already booked that day."""
    same = Q(vehicle_id=vehicle_id) if vehicle_id else Q(customer_id=customer_id)
    return Appointment.objects.filter(same, store_id=store_id, day=day,
                                      status__in=OPEN_APPOINTMENT_STATUSES).exists()
