"""Reads for test drives: the slot grid of a store, the calendars, one booking.

Times are computed in the store's time zone: a slot is 30 minutes on the clock's grid
(:00 and :30) inside the store's opening hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dealership.enums import Role
from dealership.models import StockVehicle, Store, User
from showroom.enums import HOLDING_TEST_DRIVE_STATUSES, SLOT
from showroom.models import TestDrive
from showroom.permissions import is_test_drive_in_scope

_SLOT_MINUTES = int(SLOT.total_seconds() // 60)


# --- The slot grid ------------------------------------------------------------------------
def opening_hours(store: Store, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The store's opening and closing instants on a local day."""
    tz = store.tzinfo
    return (dt.datetime.combine(day, store.opens_at, tzinfo=tz),
            dt.datetime.combine(day, store.closes_at, tzinfo=tz))


def day_slots(store: Store, day: dt.date) -> list[dt.datetime]:
    """Every slot start of a local day: on the grid, starting and ending within opening
    hours (a store opening at 08:15 has its first slot at 08:30)."""
    opens, closes = opening_hours(store, day)
    start = opens.replace(second=0, microsecond=0)
    overshoot = start.minute % _SLOT_MINUTES
    if overshoot or opens.second or opens.microsecond:
        start += dt.timedelta(minutes=_SLOT_MINUTES - overshoot)
    slots = []
    while start + SLOT <= closes:
        slots.append(start)
        start += SLOT
    return slots


def is_on_grid(store: Store, slot_start: dt.datetime) -> bool:
    local = timezone.localtime(slot_start, store.tzinfo)
    return local.second == 0 and local.microsecond == 0 and local.minute % _SLOT_MINUTES == 0


def is_within_hours(store: Store, slot_start: dt.datetime) -> bool:
    opens, closes = opening_hours(store, timezone.localtime(slot_start, store.tzinfo).date())
    return opens <= slot_start and slot_start + SLOT <= closes


def is_slot_over(slot_start: dt.datetime, now: dt.datetime | None = None) -> bool:
    """A slot is past once it has ended; the current one can still be booked, for the
    customer standing in the showroom who wants to drive now."""
    return slot_start + SLOT <= (now or timezone.now())


# --- Scope --------------------------------------------------------------------------------
def test_drive_scope_for_user(user: User) -> QuerySet[TestDrive]:
    """Consultants their own bookings, supervisors their team's, manager and reception the
    store's."""
    drives = TestDrive.objects.all()
    if user.store_id is None:
        return drives.none()
    drives = drives.filter(store_id=user.store_id)
    if user.role == Role.CONSULTANT:
        return drives.filter(consultant=user)
    if user.role == Role.SUPERVISOR:
        return drives.filter(Q(consultant=user) | Q(consultant__team__supervisor=user))
    if user.role in (Role.MANAGER, Role.RECEPTIONIST):
        return drives
    return drives.none()


def test_drive_get_for_user(*, user: User, pk: int) -> TestDrive:
    try:
        return test_drive_scope_for_user(user).select_related(
            "store", "vehicle__trim__series__brand", "vehicle__colour",
            "customer__owner__team", "consultant__team", "lead", "visit",
        ).get(pk=pk)
    except (TestDrive.DoesNotExist, ValueError):
        raise Http404 from None


def demo_vehicles_for_store(store: Store) -> QuerySet[StockVehicle]:
    return (StockVehicle.objects.for_store(store).demo()
            .select_related("trim__series__brand", "colour")
            .order_by("trim__series__name", "trim__name", "vin"))


def demo_vehicle_get_for_user(*, user: User, pk: int) -> StockVehicle:
    try:
        return demo_vehicles_for_store(user.store).get(pk=pk)
    except (StockVehicle.DoesNotExist, ValueError):
        raise Http404 from None


def last_odometer(vehicle: StockVehicle) -> int | None:
    """The highest reading recorded after a test drive of this vehicle."""
    return (TestDrive.objects.filter(vehicle=vehicle, odometer_end__isnull=False)
            .order_by("-odometer_end").values_list("odometer_end", flat=True).first())


# --- Calendars ----------------------------------------------------------------------------
@dataclass
class Cell:
    slot: dt.datetime
    booking: TestDrive | None = None
    is_over: bool = False
    can_open: bool = False  # the booking opens for this user


@dataclass
class CalendarRow:
    label: object  # a vehicle (day view) or a slot time (vehicle view)
    cells: list[Cell] = field(default_factory=list)


def _holding_between(start: dt.datetime, end: dt.datetime) -> QuerySet[TestDrive]:
    return (TestDrive.objects.filter(slot_start__gte=start, slot_start__lt=end,
                                     status__in=HOLDING_TEST_DRIVE_STATUSES)
            .select_related("customer", "consultant", "consultant__team"))


def calendar_day(*, user: User, day: dt.date) -> dict:
    """All demo vehicles of the store × the day's slots: two queries whatever the bookings."""
    store = user.store
    vehicles = list(demo_vehicles_for_store(store))
    slots = day_slots(store, day)
    opens, closes = opening_hours(store, day)
    bookings = {
        (drive.vehicle_id, drive.slot_start): drive
        for drive in _holding_between(opens, closes).filter(store=store, vehicle__in=vehicles)
    }
    now = timezone.now()
    rows = []
    for vehicle in vehicles:
        row = CalendarRow(label=vehicle)
        for slot in slots:
            booking = bookings.get((vehicle.pk, slot))
            row.cells.append(Cell(slot=slot, booking=booking, is_over=is_slot_over(slot, now),
                                  can_open=bool(booking and is_test_drive_in_scope(user,
                                                                                   booking))))
        rows.append(row)
    return {"day": day, "slots": slots, "rows": rows, "booked": len(bookings)}


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_vehicle(*, user: User, vehicle: StockVehicle, start: dt.date) -> dict:
    """One demo vehicle, seven days from `start`: rows are the slot times, columns the days.
    One query for the bookings whatever their number."""
    store = user.store
    days = [start + dt.timedelta(days=n) for n in range(7)]
    first, _closes = opening_hours(store, days[0])
    _opens, last = opening_hours(store, days[-1])
    bookings = {drive.slot_start: drive
                for drive in _holding_between(first, last).filter(vehicle=vehicle)}
    now = timezone.now()
    slots_per_day = [day_slots(store, day) for day in days]
    times = sorted({timezone.localtime(s, store.tzinfo).time()
                    for slots in slots_per_day for s in slots})
    rows = []
    for time in times:
        row = CalendarRow(label=time)
        for day in days:
            slot = dt.datetime.combine(day, time, tzinfo=store.tzinfo)
            booking = bookings.get(slot)
            row.cells.append(Cell(slot=slot, booking=booking, is_over=is_slot_over(slot, now),
                                  can_open=bool(booking and is_test_drive_in_scope(user,
                                                                                   booking))))
        rows.append(row)
    return {"days": days, "rows": rows, "booked": len(bookings)}
