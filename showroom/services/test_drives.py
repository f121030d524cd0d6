"""Test drives: booking a demo vehicle for a slot, then booked → on the road → done
(→ feedback), or cancelled while still booked. One function per transition.

The database holds the one guarantee that matters: a vehicle has at most one holding
booking per slot (a partial unique constraint), whatever two consultants do at once.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dealership.enums import AuditAction, Role, StockStatus
from dealership.models import AuditEntry, Customer, StockVehicle, Store, User
from dealership.permissions import can_view_full_pii, is_customer_in_scope
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from leads.enums import LeadStatus
from leads.models import Lead
from leads.permissions import is_lead_in_scope
from leads.services import lead_mark_test_driven
from leads.services.events import event
from showroom.enums import SLOT, LeadEventKind, TestDriveStatus
from showroom.models import TestDrive, Visit
from showroom.permissions import can_book_test_drive, can_handle_test_drive
from showroom.selectors.test_drives import (
    is_on_grid,
    is_slot_over,
    is_within_hours,
    last_odometer,
)

# The agreement text the customer accepts lives in templates/showroom/agreement_<v>.html;
# a new text gets a new version, so every booking records the wording it was shown.
AGREEMENT_VERSION = "2026-01"
AGREEMENT_TEMPLATE = f"showroom/agreement_{AGREEMENT_VERSION}.html"
LICENCE_NUMBER = re.compile(r"^[A-Z0-9]{6,20}$")
RACE_LOST = gettext_noop(
    "This car was just booked for that slot by someone else; choose another slot.")
# Test drives are booked for the coming weeks (the demo fleet's plan goes no further).
BOOKING_HORIZON = dt.timedelta(days=60)
# A Chinese licence is valid 6 or 10 years (renewed up to 90 days early); a long-term
# (长期) licence has no end date and is typed as the last day of the century.
LICENCE_LATEST = dt.date(2099, 12, 31)


def booking_day_range(store: Store) -> tuple[dt.date, dt.date]:
    """The days a test drive may be booked for: today to 60 days ahead."""
    today = store.today()
    return today, today + BOOKING_HORIZON


# --- Helpers ------------------------------------------------------------------------------
def normalize_licence_number(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def _date(value: dt.date) -> str:
    return formats.date_format(value, "Y-m-d")


def _locked(test_drive: TestDrive) -> TestDrive:
    return (TestDrive.objects.select_for_update(of=("self",))
            .select_related("store", "vehicle__trim__series__brand", "consultant__team", "lead")
            .get(pk=test_drive.pk))


def _timeline(test_drive: TestDrive, *, actor: User, step: str, note: str) -> None:
    if test_drive.lead_id is not None:
        event(test_drive.lead, LeadEventKind.TEST_DRIVE, actor=actor, note=note,
              test_drive=test_drive.pk, step=step)


def _audit_status(test_drive: TestDrive, *, actor: User, previous: str, **changes) -> None:
    audit_log(actor=actor, instance=test_drive, action=AuditAction.UPDATE,
              changes={"status": [previous, test_drive.status], **changes})


def _describe(test_drive: TestDrive) -> str:
    slot = timezone.localtime(test_drive.slot_start, test_drive.store.tzinfo)
    return _("%(vehicle)s on %(slot)s") % {"vehicle": test_drive.vehicle.trim,
                                           "slot": f"{slot:%Y-%m-%d %H:%M}"}


# --- Booking ------------------------------------------------------------------------------
def _booking_errors(
    *, actor: User, vehicle: StockVehicle, slot_start: dt.datetime, customer: Customer,
    lead: Lead | None, visit: Visit | None, licence_number: str,
    licence_expires_on: dt.date | None, agreement_accepted: bool,
) -> dict[str, list[str]]:
    store = actor.store
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if vehicle.store_id != store.pk or vehicle.status != StockStatus.DEMO:
        refuse("vehicle", _("Choose one of the store's demo vehicles."))
    if customer.store_id != store.pk or not is_customer_in_scope(actor, customer):
        refuse("customer", _("Choose one of your customers."))
    if lead is not None and (lead.customer_id != customer.pk or not lead.is_open
                             or not is_lead_in_scope(actor, lead)):
        refuse("lead", _("Choose an open lead of this customer."))
    if visit is not None and (visit.store_id != store.pk
                              or visit.customer_id not in (None, customer.pk)
                              or (actor.role == Role.CONSULTANT
                                  and visit.consultant_id not in (None, actor.pk))):
        refuse("visit", _("This visit is not of this customer."))
    before_today = (timezone.is_aware(slot_start)
                    and slot_start < store.day_bounds(store.today())[0])
    if timezone.is_naive(slot_start):
        refuse("slot_start", _("Test drives start on the hour or the half hour."))
    elif before_today:
        # Checked before the local time is computed: year 1 has none in every zone.
        refuse("slot_start", _("This slot is in the past; choose a later one."))
    elif not is_on_grid(store, slot_start):
        refuse("slot_start", _("Test drives start on the hour or the half hour."))
    elif not is_within_hours(store, slot_start):
        refuse("slot_start", _("The store is open %(opens)s–%(closes)s; choose a slot in "
                               "opening hours.") % {"opens": f"{store.opens_at:%H:%M}",
                                                    "closes": f"{store.closes_at:%H:%M}"})
    elif is_slot_over(slot_start):
        refuse("slot_start", _("This slot is in the past; choose a later one."))
    if not LICENCE_NUMBER.match(licence_number):
        refuse("licence_number", _("A driving licence number has 6 to 20 letters or digits."))
    if licence_expires_on is None:
        refuse("licence_expires_on", _("Enter the date the driving licence is valid until."))
    elif timezone.is_aware(slot_start) and not before_today:
        day = timezone.localtime(slot_start, store.tzinfo).date()
        if licence_expires_on < day:
            refuse("licence_expires_on", _(
                "The driving licence expired on %(date)s; a test drive needs a valid "
                "licence.") % {"date": _date(licence_expires_on)})
    if not agreement_accepted:
        refuse("agreement_accepted", _("The customer must accept the test-drive agreement."))
    return errors


def test_drive_book(
    *, actor: User, vehicle: StockVehicle, slot_start: dt.datetime, customer: Customer,
    lead: Lead | None = None, visit: Visit | None = None, licence_number: str,
    licence_expires_on: dt.date | None, agreement_accepted: bool,
) -> TestDrive:
    """Book a demo vehicle for one slot. Side effects: the booking (with the agreement
    version and the moment it was accepted), an audit row, a TEST_DRIVE event on the
    lead's timeline when there is a lead. A slot taken meanwhile is refused by the
    database and reported as a ValidationError."""
    if not can_book_test_drive(actor):
        raise PermissionDenied
    if timezone.is_aware(slot_start):
        # A slot before today is refused as past by _booking_errors, with its own words.
        _first, last = booking_day_range(actor.store)
        ensure_within(slot_start, latest=actor.store.day_bounds(last)[1] - SLOT,
                      field="slot_start")
    ensure_within(licence_expires_on, latest=LICENCE_LATEST, field="licence_expires_on")
    licence_number = normalize_licence_number(licence_number)
    errors = _booking_errors(
        actor=actor, vehicle=vehicle, slot_start=slot_start, customer=customer, lead=lead,
        visit=visit, licence_number=licence_number, licence_expires_on=licence_expires_on,
        agreement_accepted=agreement_accepted)
    if errors:
        raise ValidationError(errors)
    # A consultant books for themself; a supervisor or manager books on behalf of the
    # customer's consultant.
    consultant = actor if actor.role == Role.CONSULTANT else (customer.owner or actor)
    now = timezone.now()
    test_drive = TestDrive(
        store=actor.store, vehicle=vehicle, slot_start=slot_start, customer=customer,
        lead=lead, visit=visit, consultant=consultant, status=TestDriveStatus.BOOKED,
        licence_number=licence_number, licence_expires_on=licence_expires_on,
        agreement_version=AGREEMENT_VERSION, agreement_accepted_at=now, created_by=actor,
        created_at=now)
    with transaction.atomic():
        try:
            # A savepoint: the loser of a race gets the unique violation here and the
            # outer transaction stays usable.
            with transaction.atomic():
                test_drive.save()
        except IntegrityError:
            raise ValidationError(_(RACE_LOST)) from None
        audit_log(actor=actor, instance=test_drive, action=AuditAction.CREATE,
                  changes={"status": [None, test_drive.status],
                           "slot_start": [None, test_drive.slot_start.isoformat()],
                           "vehicle": [None, vehicle.vin]})
        _timeline(test_drive, actor=actor, step="booked",
                  note=_("Test drive booked: %(what)s") % {"what": _describe(test_drive)})
    return test_drive


# --- Transitions --------------------------------------------------------------------------
def is_startable_today(test_drive: TestDrive) -> bool:
    """A booked drive starts on its slot's day in the store, not the day before or after."""
    store = test_drive.store
    return (test_drive.status == TestDriveStatus.BOOKED
            and timezone.localdate(test_drive.slot_start, store.tzinfo) == store.today())


def start_refusal(test_drive: TestDrive) -> str:
    day = timezone.localtime(test_drive.slot_start, test_drive.store.tzinfo)
    return _("This test drive is booked for %(day)s; it can start on that day only.") % {
        "day": f"{day:%Y-%m-%d}"}


def test_drive_start(*, test_drive: TestDrive, actor: User, odometer_start: int) -> TestDrive:
    """The customer drives off: booked → on the road, with the odometer reading.
    Side effects: audit row."""
    if not can_handle_test_drive(actor, test_drive):
        raise PermissionDenied
    if odometer_start is None or odometer_start < 0:
        raise ValidationError({"odometer_start": _("Enter the odometer reading in km.")})
    with transaction.atomic():
        # The vehicle row is the lock: one car cannot leave twice at the same moment.
        StockVehicle.objects.select_for_update().filter(pk=test_drive.vehicle_id).first()
        locked = _locked(test_drive)
        if locked.status != TestDriveStatus.BOOKED:
            raise ValidationError(_("Only a booked test drive can start; this one is "
                                    "%(status)s.") % {"status": locked.get_status_display()})
        if not is_startable_today(locked):
            raise ValidationError(start_refusal(locked))
        out = TestDrive.objects.filter(vehicle_id=locked.vehicle_id,
                                       status=TestDriveStatus.IN_PROGRESS).exists()
        if out:
            raise ValidationError(_("This car is still out on another test drive; finish "
                                    "that one first."))
        last = last_odometer(locked.vehicle)
        if last is not None and odometer_start < last:
            raise ValidationError({"odometer_start": _(
                "The odometer read %(km)s km after the last test drive; check the "
                "reading.") % {"km": last}})
        previous = locked.status
        locked.status = TestDriveStatus.IN_PROGRESS
        locked.started_at = timezone.now()
        locked.odometer_start = odometer_start
        locked.save(update_fields=["status", "started_at", "odometer_start"])
        _audit_status(locked, actor=actor, previous=previous,
                      odometer_start=[None, odometer_start])
    return locked


def test_drive_finish(*, test_drive: TestDrive, actor: User, odometer_end: int) -> TestDrive:
    """The car is back: on the road → done. Side effects: audit row; the lead (if any)
    advances to "test driven" when the funnel allows it, with a TEST_DRIVE event."""
    if not can_handle_test_drive(actor, test_drive):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(test_drive)
        if locked.status != TestDriveStatus.IN_PROGRESS:
            raise ValidationError(_("Only a test drive on the road can finish; this one is "
                                    "%(status)s.") % {"status": locked.get_status_display()})
        if odometer_end is None or odometer_end < (locked.odometer_start or 0):
            raise ValidationError({"odometer_end": _(
                "The odometer at the end cannot be below the start (%(km)s km).") % {
                    "km": locked.odometer_start}})
        previous = locked.status
        locked.status = TestDriveStatus.DONE
        locked.finished_at = timezone.now()
        locked.odometer_end = odometer_end
        locked.save(update_fields=["status", "finished_at", "odometer_end"])
        _audit_status(locked, actor=actor, previous=previous, odometer_end=[None, odometer_end])
        _timeline(locked, actor=actor, step="done", note=_("Test drive done: %(what)s, "
                                                           "%(km)s km") % {
            "what": _describe(locked), "km": odometer_end - (locked.odometer_start or 0)})
        if locked.lead is not None and locked.lead.can_advance_to(LeadStatus.TEST_DRIVEN):
            try:
                with transaction.atomic():
                    lead_mark_test_driven(lead=locked.lead, actor=actor)
            except ValidationError:
                pass  # the lead moved on meanwhile (e.g. won); the drive is done all the same
    return locked


def test_drive_feedback(
    *, test_drive: TestDrive, actor: User, rating_overall: int, rating_handling: int,
    rating_comfort: int, feedback: str = "",
) -> TestDrive:
    """The customer's impressions after the drive; the consultant may correct them later.
    Side effects: audit row."""
    if not can_handle_test_drive(actor, test_drive):
        raise PermissionDenied
    ratings = {"rating_overall": rating_overall, "rating_handling": rating_handling,
               "rating_comfort": rating_comfort}
    errors = {name: [_("Rate from 1 to 5.")] for name, value in ratings.items()
              if not isinstance(value, int) or not 1 <= value <= 5}
    if len(feedback or "") > 2000:
        errors["feedback"] = [_("Keep the feedback under 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(test_drive)
        if locked.status != TestDriveStatus.DONE:
            raise ValidationError(_("Feedback is recorded after the drive is finished."))
        before = {name: getattr(locked, name) for name in [*ratings, "feedback"]}
        for name, value in ratings.items():
            setattr(locked, name, value)
        locked.feedback = (feedback or "").strip()
        locked.save(update_fields=[*ratings, "feedback"])
        changes = {name: [old, getattr(locked, name)] for name, old in before.items()
                   if old != getattr(locked, name)}
        if changes:
            audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes=changes)
    return locked


def test_drive_cancel(*, test_drive: TestDrive, actor: User, reason: str = "") -> TestDrive:
    """Cancel a booking that has not started; its slot is free again at once (the unique
    constraint only counts holding bookings). Side effects: audit row, lead event."""
    if not can_handle_test_drive(actor, test_drive):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(test_drive)
        if locked.status != TestDriveStatus.BOOKED:
            raise ValidationError(_("Only a booked test drive can be cancelled; this one is "
                                    "%(status)s.") % {"status": locked.get_status_display()})
        previous = locked.status
        locked.status = TestDriveStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [previous, locked.status]}, reason=reason)
        _timeline(locked, actor=actor, step="cancelled",
                  note=_("Test drive cancelled: %(what)s") % {"what": _describe(locked)})
    return locked


# --- Personal data ------------------------------------------------------------------------
def test_drive_reveal_licence(*, actor: User, test_drive: TestDrive) -> AuditEntry:
    """Show the driving-licence number in full (a Chinese licence number is the ID number),
    to whoever may see the customer's numbers. Side effects: the view itself is audited."""
    if not can_view_full_pii(actor, test_drive.customer):
        raise PermissionDenied
    return audit_log(actor=actor, instance=test_drive, action=AuditAction.VIEW_PII,
                     changes={"fields": ["licence_number"]})
