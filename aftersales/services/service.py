"""Writes of the service desk: the store's daily capacity per type, booking an appointment
(no overbooking, also under concurrency), cancelling it or marking a no-show (which give
the place back), checking the car in and completing the visit with its service record.

Refusals: a ValidationError naming a field is the input's fault (400 in views); one naming
no field is the appointment's state, usually someone else was quicker (409 in views)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales.enums import (
    CAPACITY_HOLDING_STATUSES,
    OPEN_CARE_STEP_STATUSES,
    AppointmentStatus,
    AppointmentType,
    CareStepKind,
    LeadEventKind,
)
from aftersales.models import (
    Appointment,
    CareStep,
    ServiceCapacity,
    ServiceDay,
    ServiceItem,
    ServiceRecord,
)
from aftersales.models.service import DEFAULT_DAILY_CAPACITY
from aftersales.permissions import (
    can_book_service,
    can_set_service_capacity,
    can_work_service_desk,
)
from aftersales.selectors.service import (
    SLOT_TIMES,
    booking_range,
    capacity_by_type,
    care_settings_of,
    first_free_day,
    open_appointment_exists,
    owner_vehicles,
)
from dealership.enums import AuditAction
from dealership.models import Customer, StockVehicle, Store, User
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from leads.models import Lead
from leads.services.events import event as lead_event

CAPACITY_MAX = 200
MILEAGE_MAX = 2_000_000
NOTE_MAX = Appointment._meta.get_field("note").max_length
REASON_MAX = Appointment._meta.get_field("cancel_reason").max_length
RECORD_NOTE_MAX = 2000
ITEM_DESCRIPTION_MAX = ServiceItem._meta.get_field("description").max_length
ITEM_AMOUNT_MAX = Decimal("99999999.99")
# The next maintenance is within two years of the visit.
NEXT_DUE_HORIZON_DAYS = 730
# The outcome written on the day-30 reminder when it is booked from the desk.
CARE_STEP_OUTCOME_BOOKED = "booked"


def _shown(value) -> object:
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _tidy(text: str) -> str:
    return " ".join((text or "").split())


# --- Capacity -------------------------------------------------------------------------------
def service_capacity_set(*, actor: User, store: Store,
                         capacities: dict[str, int]) -> dict[str, int]:
    """Set the store's daily capacity of each type given. Days already opened from today
    on take the new capacity, never below the places they have booked (those bookings
    stand). Side effects: one audit row per type changed. Returns the capacities now."""
    if not can_set_service_capacity(actor, store):
        raise PermissionDenied
    errors = {}
    for kind, value in capacities.items():
        if kind not in AppointmentType.values:
            raise TypeError(f"unknown appointment type {kind!r}")
        if value is None or not 0 <= value <= CAPACITY_MAX:
            errors[kind] = [_("Enter a number from 0 to %(max)s.") % {"max": CAPACITY_MAX}]
    if errors:
        raise ValidationError(errors)
    today = store.today()
    with transaction.atomic():
        rows = {row.appointment_type: row for row in
                ServiceCapacity.objects.select_for_update(of=("self",)).filter(store=store)}
        for kind, value in capacities.items():
            row = rows.get(kind)
            old = row.daily_capacity if row is not None else DEFAULT_DAILY_CAPACITY
            if row is None:
                row = ServiceCapacity.objects.create(store=store, appointment_type=kind,
                                                     daily_capacity=value)
            elif old != value:
                row.daily_capacity = value
                row.save(update_fields=["daily_capacity"])
            if old == value:
                continue
            ServiceDay.objects.filter(store=store, appointment_type=kind, day__gte=today
                                      ).update(capacity=Greatest(F("booked"), value))
            audit_log(actor=actor, instance=row, action=AuditAction.UPDATE,
                      changes={"daily_capacity": [old, value]})
    return capacity_by_type(store_id=store.pk)


# --- Booking --------------------------------------------------------------------------------
def _locked_service_day(*, store_id: int, day: dt.date, appointment_type: str) -> ServiceDay:
    """The day's row for the type, locked; created first (at the store's capacity) under
    its unique constraint when nobody booked that day yet. Two bookings creating it at once:
    the second insert fails and that booking waits on the first one's row instead."""
    lookup = {"store_id": store_id, "day": day, "appointment_type": appointment_type}
    row = ServiceDay.objects.select_for_update(of=("self",)).filter(**lookup).first()
    if row is not None:
        return row
    capacity = capacity_by_type(store_id=store_id)[appointment_type]
    try:
        with transaction.atomic():
            ServiceDay.objects.create(**lookup, booked=0, capacity=capacity)
    except IntegrityError:
        pass  # created a moment ago by another booking: lock theirs
    return ServiceDay.objects.select_for_update(of=("self",)).get(**lookup)


def _give_place_back(appointment: Appointment) -> None:
    """The appointment no longer holds its place (the caller holds its row lock)."""
    ServiceDay.objects.filter(store_id=appointment.store_id, day=appointment.day,
                              appointment_type=appointment.appointment_type, booked__gt=0
                              ).update(booked=F("booked") - 1)


def _booking_errors(*, customer: Customer, vehicle: StockVehicle | None,
                    appointment_type: str, day: dt.date | None, slot: dt.time | None,
                    note: str) -> dict[str, list]:
    errors: dict[str, list] = {}
    if appointment_type not in AppointmentType.values:
        errors["appointment_type"] = [_("Choose the kind of visit.")]
    if day is None:
        errors["day"] = [_("Choose the day.")]
    else:
        earliest, latest = booking_range(customer.store)
        try:
            ensure_within(day, earliest=earliest, latest=latest)
        except ValidationError as error:
            errors["day"] = error.messages
    if slot not in SLOT_TIMES:
        errors["slot"] = [_("Choose one of the workshop's times.")]
    if vehicle is not None and not owner_vehicles(
            store_id=customer.store_id, customer_id=customer.pk).filter(pk=vehicle.pk).exists():
        errors["vehicle"] = [_("This car was not delivered to this customer.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep it under %(max)s characters.") % {"max": NOTE_MAX}]
    return errors


def _locked_care_step(step: CareStep, customer: Customer) -> CareStep:
    locked = CareStep.objects.select_for_update(of=("self",)).get(pk=step.pk)
    if locked.kind != CareStepKind.FIRST_MAINTENANCE or locked.customer_id != customer.pk:
        raise ValidationError({"customer": [
            _("This reminder is about another customer or another step.")]})
    if locked.status not in OPEN_CARE_STEP_STATUSES:
        raise ValidationError(_("This first-maintenance reminder is closed already (%(status)s);"
                                " nothing was booked.") % {"status": locked.get_status_display()})
    if Appointment.objects.filter(care_step=locked,
                                  status__in=CAPACITY_HOLDING_STATUSES).exists():
        raise ValidationError(_("This first maintenance is already booked; no second "
                                "visit was booked."))
    return locked


def appointment_book(*, actor: User, customer: Customer, vehicle: StockVehicle | None,
                     appointment_type: str, day: dt.date, slot: dt.time, note: str = "",
                     care_step: CareStep | None = None) -> Appointment:
    """Book a car into the workshop on a store day and slot. With the day's row of the type
    locked (created under its unique constraint), refuse when its places are all taken,
    naming the next free day; otherwise take one. With `care_step` (the day-30 reminder)
    the appointment keeps it and the step is completed with the outcome "booked".
    Side effects: the place taken, the audit row, the care step completed."""
    if not can_book_service(actor, customer):
        raise PermissionDenied
    note = (note or "").strip()
    if errors := _booking_errors(customer=customer, vehicle=vehicle,
                                 appointment_type=appointment_type, day=day, slot=slot,
                                 note=note):
        raise ValidationError(errors)
    type_label = AppointmentType(appointment_type).label
    with transaction.atomic():
        step = _locked_care_step(care_step, customer) if care_step is not None else None
        if open_appointment_exists(store_id=customer.store_id, day=day,
                                   customer_id=customer.pk,
                                   vehicle_id=vehicle.pk if vehicle else None):
            raise ValidationError({"day": [_("This car is already booked on %(day)s.")
                                           % {"day": day.isoformat()}]})
        service_day = _locked_service_day(store_id=customer.store_id, day=day,
                                          appointment_type=appointment_type)
        if service_day.booked >= service_day.capacity:
            following = first_free_day(store=customer.store, appointment_type=appointment_type,
                                       start=day + dt.timedelta(days=1))
            message = (_("No place left on %(day)s for %(type)s; the next free day is "
                         "%(next)s.") if following else
                       _("No place left on %(day)s for %(type)s, nor on any later day that "
                         "can be booked."))
            raise ValidationError({"day": [message % {
                "day": day.isoformat(), "type": type_label,
                "next": following.isoformat() if following else ""}]})
        service_day.booked += 1
        service_day.save(update_fields=["booked"])
        appointment = Appointment.objects.create(
            store_id=customer.store_id, customer=customer, vehicle=vehicle,
            appointment_type=appointment_type, day=day, slot=slot, note=note,
            care_step=step, booked_by=actor, booked_at=timezone.now())
        audit_log(actor=actor, instance=appointment, action=AuditAction.CREATE, changes={
            "appointment_type": [None, appointment_type], "day": [None, day.isoformat()],
            "slot": [None, slot.isoformat()], "vehicle": [None, vehicle.vin if vehicle else None],
            "care_step": [None, step.pk if step else None]})
        if step is not None:
            from aftersales.services.care import can_work_care_step, care_step_complete

            # The step is customer care's to close; booked by someone else (the advisor),
            # the appointment keeps it and the desk stops listing it.
            if can_work_care_step(actor, step):
                care_step_complete(actor=actor, step=step, outcome=CARE_STEP_OUTCOME_BOOKED)
    return appointment


# --- Transitions of a booked appointment ----------------------------------------------------
def _locked_appointment(appointment: Appointment, *allowed: str) -> Appointment:
    locked = (Appointment.objects.select_for_update(of=("self",)).select_related("store")
              .get(pk=appointment.pk))
    if locked.status not in allowed:
        raise ValidationError(_("This appointment is %(status)s already; nothing was changed.")
                              % {"status": locked.get_status_display()})
    return locked


def _require_desk(actor: User, appointment: Appointment) -> None:
    if not can_work_service_desk(actor, appointment.store_id):
        raise PermissionDenied


def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    """Cancel a booked appointment with a reason; its place is free again. Side effects:
    the place given back, the audit row."""
    if not can_book_service(actor, appointment.customer):
        raise PermissionDenied
    reason = _tidy(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the appointment is cancelled.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep it under %(max)s characters.")
                                          % {"max": REASON_MAX}]})
    with transaction.atomic():
        locked = _locked_appointment(appointment, AppointmentStatus.BOOKED)
        locked.status = AppointmentStatus.CANCELLED
        locked.cancelled_at, locked.cancel_reason = timezone.now(), reason
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        _give_place_back(locked)
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, reason=reason,
                  changes={"status": [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED]})
    return locked


def appointment_no_show(*, actor: User, appointment: Appointment) -> Appointment:
    """The customer did not come (on or after the day): the place is free again. Side
    effects: the place given back, the audit row."""
    _require_desk(actor, appointment)
    with transaction.atomic():
        locked = _locked_appointment(appointment, AppointmentStatus.BOOKED)
        if locked.day > locked.store.today():
            raise ValidationError(_("This appointment is on %(day)s; a no-show is marked on "
                                    "that day or later.") % {"day": locked.day.isoformat()})
        locked.status = AppointmentStatus.NO_SHOW
        locked.save(update_fields=["status"])
        _give_place_back(locked)
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW]})
    return locked


def _mileage_error(mileage: int | None, *, at_least: int = 0) -> list[str]:
    if mileage is None:
        return [_("Enter the mileage on the dashboard.")]
    if not at_least <= mileage <= MILEAGE_MAX:
        return [_("Enter a mileage from %(min)s to %(max)s km.")
                % {"min": at_least, "max": MILEAGE_MAX}]
    return []


def appointment_check_in(*, actor: User, appointment: Appointment,
                         mileage: int) -> Appointment:
    """The car is at the workshop: booked → checked in, with its mileage; the actor is its
    advisor. Side effects: the audit row."""
    _require_desk(actor, appointment)
    if errors := _mileage_error(mileage):
        raise ValidationError({"mileage": errors})
    with transaction.atomic():
        locked = _locked_appointment(appointment, AppointmentStatus.BOOKED)
        if locked.day > locked.store.today():
            raise ValidationError(_("This appointment is on %(day)s; check the car in that "
                                    "day.") % {"day": locked.day.isoformat()})
        locked.status = AppointmentStatus.CHECKED_IN
        locked.checked_in_at, locked.mileage_in, locked.advisor = timezone.now(), mileage, actor
        locked.save(update_fields=["status", "checked_in_at", "mileage_in", "advisor"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes={
            "status": [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
            "mileage_in": [None, mileage]})
    return locked


def _item_errors(items: list[tuple[str, Decimal]]) -> tuple[list, list[str]]:
    clean, errors = [], []
    for description, amount in items:
        description = _tidy(description)
        try:
            amount = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            amount = None
        if not description or len(description) > ITEM_DESCRIPTION_MAX:
            errors.append(_("Describe each item in 1 to %(max)s characters.")
                          % {"max": ITEM_DESCRIPTION_MAX})
        elif (amount is None or not amount.is_finite()
              or not Decimal(0) <= amount <= ITEM_AMOUNT_MAX):
            errors.append(_("The amount of “%(item)s” must be 0 or more (CNY).")
                          % {"item": description})
        elif amount != amount.quantize(Decimal("0.01")):
            errors.append(_("The amount of “%(item)s” has at most two decimals (fen).")
                          % {"item": description})
        else:
            clean.append((description, amount))
    if not items:
        errors.append(_("Write at least one item of work or parts."))
    return clean, errors


def appointment_complete(*, actor: User, appointment: Appointment, mileage: int,
                         items: Iterable[tuple[str, Decimal]],
                         next_due_on: dt.date | None = None, next_due_km: int | None = None,
                         note: str = "") -> ServiceRecord:
    """The visit is done: checked in → completed, and its service record written (the
    store's today, the mileage, the items with their amounts, the actor as advisor, the
    next maintenance due: by default the store's maintenance interval after today and
    after this mileage). Side effects: the record and its items, audit rows, a SERVICE
    event on the customer's latest lead, and after the commit a service survey sent."""
    _require_desk(actor, appointment)
    items = list(items)
    note = (note or "").strip()
    store = appointment.store
    today = store.today()
    settings = care_settings_of(store)
    errors: dict[str, list] = {}
    clean_items, item_errors = _item_errors(items)
    if item_errors:
        errors["items"] = item_errors
    if next_due_on is not None:
        try:
            ensure_within(next_due_on, earliest=today + dt.timedelta(days=1),
                          latest=today + dt.timedelta(days=NEXT_DUE_HORIZON_DAYS))
        except ValidationError as error:
            errors["next_due_on"] = error.messages
    if len(note) > RECORD_NOTE_MAX:
        errors["note"] = [_("Keep it under %(max)s characters.") % {"max": RECORD_NOTE_MAX}]
    with transaction.atomic():
        locked = _locked_appointment(appointment, AppointmentStatus.CHECKED_IN)
        if mileage_errors := _mileage_error(mileage, at_least=locked.mileage_in or 0):
            errors["mileage"] = mileage_errors
        elif next_due_km is not None and not mileage < next_due_km <= mileage + MILEAGE_MAX:
            errors["next_due_km"] = [
                _("The next maintenance must come after today's mileage (%(km)s km).")
                % {"km": mileage}]
        if errors:
            raise ValidationError(errors)
        record = ServiceRecord.objects.create(
            store_id=locked.store_id, appointment=locked, customer_id=locked.customer_id,
            vehicle_id=locked.vehicle_id, appointment_type=locked.appointment_type,
            serviced_on=today, mileage=mileage, advisor=actor, note=note,
            next_due_on=next_due_on or today + dt.timedelta(
                days=settings.maintenance_interval_days),
            next_due_km=next_due_km or mileage + settings.maintenance_interval_km)
        ServiceItem.objects.bulk_create([ServiceItem(store_id=record.store_id, record=record,
                                                     description=description, amount=amount)
                                         for description, amount in clean_items])
        locked.status, locked.completed_at = AppointmentStatus.COMPLETED, timezone.now()
        fields = ["status", "completed_at"]
        if locked.advisor_id is None:
            locked.advisor = actor
            fields.append("advisor")
        locked.save(update_fields=fields)
        total = sum((amount for _d, amount in clean_items), Decimal(0))
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes={
            "status": [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]})
        audit_log(actor=actor, instance=record, action=AuditAction.CREATE, changes={
            "mileage": [None, mileage], "total": [None, _shown(total)],
            "next_due_on": [None, _shown(record.next_due_on)],
            "next_due_km": [None, record.next_due_km]})
        lead = (Lead.objects.filter(customer_id=locked.customer_id)
                .order_by("-created_at", "-id").first())
        if lead is not None:
            lead_event(lead, LeadEventKind.SERVICE, actor=actor,
                       note=f"{AppointmentType(locked.appointment_type).label} · "
                            f"{date_format(today, 'Y-m-d')}",
                       service_record=record.pk)
        record_id = record.pk
        # The visit is recorded whatever becomes of the survey: a failure there is logged,
        # never the advisor's error page.
        transaction.on_commit(lambda: _ask_for_survey(record_id=record_id), robust=True)
    return record


def _ask_for_survey(*, record_id: int) -> None:
    """After the commit: the customer is asked about the visit (the surveys area decides
    whether and how to send)."""
    from aftersales.enums import SurveyKind
    from aftersales.services.surveys import survey_send

    record = ServiceRecord.objects.filter(pk=record_id).select_related("customer",
                                                                       "advisor").first()
    if record is None:
        return
    survey_send(kind=SurveyKind.SERVICE, customer=record.customer, staff=record.advisor,
                service_record=record, now=timezone.now())
