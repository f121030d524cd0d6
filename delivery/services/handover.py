"""Writes of the handover: the appointment, the ceremony's progress (checklist, photo with
the customer, plate), and its completion through the delivery gate, which marks the
contract and the car delivered in one transaction and then announces `vehicle_delivered`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import ContractStatus
from contracts.models import Contract
from contracts.permissions import can_work_contract
from contracts.services.contracts import contract_mark_delivered
from dealership.enums import AuditAction, StockStatus
from dealership.models import User
from dealership.services.audit import audit_log
from dealership.text import join_list
from dealership.validators import ensure_within
from delivery.enums import HANDOVER_CHECKLIST, GateCondition, LeadEventKind
from delivery.models import Allocation, Handover
from delivery.selectors.handover import (
    APPOINTMENT_HORIZON_DAYS,
    can_override_gate,
    gate_unmet,
)
from delivery.services.inventory import vehicle_move
from delivery.signals import vehicle_delivered
from leads.services.events import event as lead_event

CHECKLIST_FIELDS = tuple(name for name, _label in HANDOVER_CHECKLIST)
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
# Chinese plates (GB 36 / 2018 new-energy): the province's character, the city's letter,
# then five characters for a fuel car, or six for a new-energy car (D/F, electric or
# hybrid, first or last). I and O are never used.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_RE = re.compile(
    rf"^[{_PROVINCES}][A-HJ-NP-Z]"
    r"(?:[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]"          # 粤B12345
    r"|[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF])$")       # 粤BD12345, 粤B12345D
APPOINTMENT_PLACE_MAX = Handover._meta.get_field("place").max_length
REASON_MAX = Handover._meta.get_field("override_reason").max_length


class GateRefused(ValidationError):
    """The handover cannot be completed: conditions of the gate are unmet (`unmet`)."""

    def __init__(self, message, *, unmet: list[str]):
        super().__init__(message)
        self.unmet = unmet


# --- Validation shared with the form ------------------------------------------------------
def normalize_plate(raw: str) -> str:
    """The plate as registered, upper-case without spaces or the dot (粤B·12345)."""
    plate = re.sub(r"[\s·.\-]", "", raw or "").upper()
    if plate and not PLATE_RE.match(plate):
        raise ValidationError(
            _("Enter a plate such as 粤B12345, or 粤BD12345 for a new-energy car."),
            code="invalid_plate")
    return plate


def validate_photo(photo: UploadedFile) -> None:
    """A picture (Pillow can read it, whatever its name says) of 10 MB at most."""
    from PIL import Image

    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 10 MB; take it again at a lower "
                                "resolution."), code="too_large")
    extension = PurePath(photo.name or "").suffix.lower().lstrip(".")
    if extension not in PHOTO_EXTENSIONS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="extension")
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image.verify()
    except Exception as error:  # Pillow raises many kinds on a file that is not a picture
        raise ValidationError(_("This file is not a photo that can be opened."),
                              code="invalid_image") from error
    finally:
        photo.seek(0)


def plate_date_range(contract: Contract) -> tuple[dt.date, dt.date]:
    """A plate is registered after signing (sometimes before the handover), by today."""
    today = contract.store.today()
    signed = (timezone.localdate(contract.signed_at, contract.store.tzinfo)
              if contract.signed_at else today)
    return min(signed, today), today


def appointment_range(contract: Contract) -> tuple[dt.datetime, dt.datetime]:
    """From the start of the store's today to the end of its 180th day ahead."""
    today = contract.store.today()
    start, _end = contract.store.day_bounds(today)
    _start, end = contract.store.day_bounds(today + dt.timedelta(days=APPOINTMENT_HORIZON_DAYS))
    return start, end - dt.timedelta(microseconds=1)


# --- Helpers --------------------------------------------------------------------------------
def _locked_contract(contract: Contract) -> Contract:
    locked = (Contract.objects.select_for_update(of=("self",))
              .select_related("store", "customer", "consultant", "lead").get(pk=contract.pk))
    if locked.status != ContractStatus.SIGNED:
        raise ValidationError(
            _("This contract is %(status)s; its handover cannot be changed.")
            % {"status": locked.get_status_display()})
    return locked


def _locked_handover(contract: Contract, *, create: bool) -> Handover | None:
    handover = (Handover.objects.select_for_update(of=("self",))
                .filter(contract_id=contract.pk).first())
    if handover is None and create:
        handover = Handover.objects.create(store_id=contract.store_id, contract=contract)
    if handover is not None and handover.completed_at is not None:
        raise ValidationError(_("This car was handed over already."))
    return handover


def _require(actor: User, contract: Contract) -> None:
    if not can_work_contract(actor, contract):
        raise PermissionDenied


def _shown(value) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# --- The appointment ------------------------------------------------------------------------
def handover_schedule(*, actor: User, contract: Contract, scheduled_at: dt.datetime,
                      place: str = "") -> Handover:
    """Set (or move) the delivery appointment: a time from the store's today to 180 days
    ahead, and where. Creates the contract's Handover on first use. Side effects: the
    audit row."""
    _require(actor, contract)
    place = " ".join((place or "").split())
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("Say when the customer comes.")})
    earliest, latest = appointment_range(contract)
    ensure_within(scheduled_at, earliest=earliest, latest=latest, field="scheduled_at")
    if len(place) > APPOINTMENT_PLACE_MAX:
        raise ValidationError({"place": _("Keep it under %(max)s characters.")
                               % {"max": APPOINTMENT_PLACE_MAX}})
    with transaction.atomic():
        locked = _locked_contract(contract)
        handover = _locked_handover(locked, create=True)
        changes = {"scheduled_at": [_shown(handover.scheduled_at), _shown(scheduled_at)],
                   "place": [handover.place, place]}
        handover.scheduled_at, handover.place = scheduled_at, place
        handover.scheduled_by = actor
        handover.updated_at = timezone.now()
        handover.save(update_fields=["scheduled_at", "place", "scheduled_by", "updated_at"])
        audit_log(actor=actor, instance=handover, action=AuditAction.UPDATE, changes=changes)
    return handover


# --- The ceremony ---------------------------------------------------------------------------
def handover_update(*, actor: User, contract: Contract, photo: UploadedFile | None = None,
                    **values) -> Handover:
    """Save the ceremony's progress: any of the checklist booleans (CHECKLIST_FIELDS),
    `plate_number`, `plate_registered_on`, and a new `photo`. Field errors name the field
    (a plate in the wrong format or already on another car of the store, a date out of
    range, a photo that is no picture or too large). Side effects: the audit row; the
    photo file stored under a random name."""
    _require(actor, contract)
    allowed = {*CHECKLIST_FIELDS, "plate_number", "plate_registered_on"}
    if unknown := set(values) - allowed:
        raise TypeError(f"handover_update got unknown fields {sorted(unknown)}")
    errors: dict[str, list] = {}
    if "plate_number" in values:
        try:
            values["plate_number"] = normalize_plate(values["plate_number"])
        except ValidationError as error:
            errors["plate_number"] = error.messages
    if values.get("plate_registered_on") is not None:
        earliest, latest = plate_date_range(contract)
        try:
            ensure_within(values["plate_registered_on"], earliest=earliest, latest=latest)
        except ValidationError as error:
            errors["plate_registered_on"] = error.messages
    if photo is not None:
        try:
            validate_photo(photo)
        except ValidationError as error:
            errors["photo"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_contract(contract)
        handover = _locked_handover(locked, create=True)
        plate = values.get("plate_number")
        if plate and Handover.objects.filter(store_id=locked.store_id, plate_number=plate
                                             ).exclude(pk=handover.pk).exists():
            raise ValidationError({"plate_number": [
                _("The plate %(plate)s is already on another car of this store.")
                % {"plate": plate}]})
        changes = {}
        for name, value in values.items():
            if getattr(handover, name) != value:
                changes[name] = [_shown(getattr(handover, name)), _shown(value)]
                setattr(handover, name, value)
        fields = list(changes)
        if photo is not None:
            extension = PurePath(photo.name).suffix.lower()
            old = handover.photo.name or None
            handover.photo.save(f"{uuid.uuid4().hex}{extension}", photo, save=False)
            changes["photo"] = [old, handover.photo.name]
            fields.append("photo")
        if fields:
            handover.updated_at = timezone.now()
            handover.save(update_fields=[*fields, "updated_at"])
            audit_log(actor=actor, instance=handover, action=AuditAction.UPDATE,
                      changes=changes)
    return handover


# --- Completion through the gate ------------------------------------------------------------
def _ceremony_errors(handover: Handover | None) -> dict[str, list[str]]:
    errors = {name: [_("Tick this with the customer before completing the handover.")]
              for name in CHECKLIST_FIELDS
              if handover is None or not getattr(handover, name)}
    if handover is None or not handover.photo:
        errors["photo"] = [_("Upload the photo with the customer first.")]
    return errors


def _override(actor: User, unmet: list[str], condition: str, reason: str) -> str:
    """The condition a manager hands the car over without, or a refusal."""
    labels = join_list(GateCondition(c).label for c in unmet)
    if not condition:
        raise GateRefused(_("The car cannot be handed over yet: %(missing)s.")
                          % {"missing": labels}, unmet=unmet)
    if not can_override_gate(actor):
        raise GateRefused(_("Only the store manager may hand a car over with a condition "
                            "unmet (%(missing)s).") % {"missing": labels}, unmet=unmet)
    if len(unmet) > 1:
        raise GateRefused(_("More than one condition is unmet (%(missing)s); a manager may "
                            "override only one.") % {"missing": labels}, unmet=unmet)
    if condition not in unmet:
        raise GateRefused(_("The condition unmet is: %(missing)s; that is the only one "
                            "that may be overridden.") % {"missing": labels}, unmet=unmet)
    if not reason:
        raise ValidationError({"override_reason": [
            _("Write why the car is handed over without this condition.")]})
    return condition


def handover_complete(*, actor: User, contract: Contract, override_condition: str = "",
                      override_reason: str = "") -> Handover:
    """Hand the car over. In one transaction, with the contract and handover rows locked:
    every ceremony box ticked and the photo present (field errors otherwise); the delivery
    gate met, or a manager overriding exactly the one unmet condition with a written
    reason (GateRefused otherwise); then the contract → delivered, the car → delivered,
    the handover completed, a DELIVERED event on the lead's timeline. After the commit,
    `delivery.signals.vehicle_delivered` is sent once. A second click finds the contract
    delivered and is refused. Side effects: audit rows (contract, car, handover with the
    override), the lead event, the signal."""
    _require(actor, contract)
    reason = " ".join((override_reason or "").split())[:REASON_MAX]
    with transaction.atomic():
        locked = _locked_contract(contract)
        handover = _locked_handover(locked, create=False)
        if errors := _ceremony_errors(handover):
            raise ValidationError(errors)
        unmet = gate_unmet(locked)
        overridden = _override(actor, unmet, override_condition, reason) if unmet else ""
        allocation = (Allocation.objects.filter(contract_id=locked.pk, released_at__isnull=True)
                      .select_related("vehicle").first())
        vehicle = allocation.vehicle if allocation is not None else None
        if vehicle is not None:
            vehicle_move(actor=actor, vehicle=vehicle, to=StockStatus.DELIVERED,
                         reason=_("Handed over to the buyer of %(contract)s")
                         % {"contract": locked.number or locked.pk})
        delivered = contract_mark_delivered(actor=actor, contract=locked)
        # One moment for the contract and the handover: reports join them on it.
        now = delivered.delivered_at or timezone.now()
        handover.completed_at, handover.completed_by = now, actor
        fields = ["completed_at", "completed_by", "updated_at"]
        changes = {"completed_at": [None, now.isoformat()]}
        if overridden:
            handover.override_condition, handover.override_reason = overridden, reason
            handover.override_by, handover.override_at = actor, now
            fields += ["override_condition", "override_reason", "override_by", "override_at"]
            changes["override_condition"] = ["", overridden]
        handover.updated_at = now
        handover.save(update_fields=fields)
        audit_log(actor=actor, instance=handover, action=AuditAction.UPDATE, changes=changes,
                  reason=reason if overridden else "")
        if locked.lead_id:
            lead_event(locked.lead, LeadEventKind.DELIVERED, actor=actor,
                       note=str(locked.number or ""), contract_id=locked.pk)
        payload = {"contract_id": locked.pk,
                   "vehicle_id": vehicle.pk if vehicle is not None else None,
                   "store_id": locked.store_id, "customer_id": locked.customer_id,
                   "consultant_id": locked.consultant_id,
                   "delivered_at": delivered.delivered_at or now}
        transaction.on_commit(lambda: vehicle_delivered.send(sender=Handover, **payload))
    return handover
