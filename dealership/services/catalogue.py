"""Writing the catalogue: the group's trims and colours, and the price history of every
catalogue price (the contracts stage records its accessories' and packages' prices here
too, through `price_change_record`).

Trims and colours have no store: one price list for every store of the group, read live
by the quote builder. So only the administrator changes them; a manager changing a trim's
price would change every other store's price. Each store's accessories and packages are
its manager's (contracts.services.catalogue).

Two people editing one row at once: the form carries `catalogue_version()` of the row as
it was shown; the service compares it with the locked row and refuses a stale edit (a
ValidationError naming no field, 409 in views) instead of silently overwriting.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import PriceKind
from dealership.models import Colour, PriceChange, Series, Trim, User
from dealership.models.audit import _plain
from dealership.money import ZERO, fen
from dealership.permissions import can_edit_group_catalogue
from dealership.services.audit import audit_changes, audit_created

MAX_MSRP = Decimal("10000000")
MAX_SURCHARGE = Decimal("1000000")
EARLIEST_MODEL_YEAR = 2000
MAX_SEATS = 9
HEX_CODE = re.compile(r"#[0-9A-Fa-f]{6}")

TRIM_FIELDS = ("series", "name", "model_year", "powertrain", "msrp", "seats")
COLOUR_FIELDS = ("series", "name", "hex_code", "surcharge")


# --- Shared by every catalogue service (the contracts stage's too) -------------------------
def catalogue_version(*, instance: models.Model, fields: tuple[str, ...]) -> str:
    """A short fingerprint of the row's editable values (and its on-sale flag), carried
    by the edit form so the service can tell that someone else saved in between."""
    values = [repr(_plain(getattr(instance, instance._meta.get_field(name).attname)))
              for name in (*fields, "is_active")]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]


def catalogue_ensure_current(*, locked: models.Model, fields: tuple[str, ...],
                             version: str) -> None:
    """Refuse an edit made on a copy of the row that is no longer current."""
    if version != catalogue_version(instance=locked, fields=fields):
        raise ValidationError(_(
            "Someone else changed “%(item)s” while you were editing. Nothing was saved: "
            "reload the page to see the current values, then make your change again.")
            % {"item": locked})


def money_errors(value: Decimal, *, field: str, low: Decimal, high: Decimal,
                 low_included: bool) -> dict[str, list[str]]:
    """A price outside its business range, as a message naming the field."""
    too_low = value < low if low_included else value <= low
    if too_low or value > high:
        if low_included:
            message = _("Enter an amount from ¥%(low)s to ¥%(high)s.")
        else:
            message = _("Enter an amount above ¥%(low)s and up to ¥%(high)s.")
        return {field: [message % {"low": f"{low:,.2f}", "high": f"{high:,.2f}"}]}
    return {}


def price_change_record(*, actor: User | None, item_kind: str, item: models.Model,
                        field: str, old: Decimal | None, new: Decimal,
                        effective_from=None) -> PriceChange | None:
    """Write one price history row (nothing when the price did not change). Call it inside
    the transaction that saves the new price. The row takes the item's store, if it has
    one; a price applies from the moment it is saved unless `effective_from` says when."""
    if old is not None and fen(Decimal(old)) == fen(Decimal(new)):
        return None
    now = timezone.now()
    return PriceChange.objects.create(
        store_id=getattr(item, "store_id", None), item_kind=PriceKind(item_kind),
        item_id=item.pk, item_label=str(item)[:200], field=field,
        old=None if old is None else fen(Decimal(old)), new=fen(Decimal(new)),
        changed_by=actor if actor is not None and actor.is_authenticated else None,
        changed_at=now, effective_from=effective_from or now)


def catalogue_set_active(*, actor: User, locked: models.Model, is_active: bool) -> None:
    """Retire or bring back a locked row; a row already in that state is a 409 (two
    people clicked, or the page was old). Rows are never deleted: quotes point at them."""
    if locked.is_active == is_active:
        raise ValidationError(
            _("“%(item)s” is already on sale.") % {"item": locked} if is_active
            else _("“%(item)s” is already retired.") % {"item": locked})
    locked.is_active = is_active
    locked.save(update_fields=["is_active"])
    audit_changes(actor=actor, instance=locked)


def _refuse_unless_admin(actor: User) -> None:
    if not can_edit_group_catalogue(actor):
        raise PermissionDenied


# --- Trims ---------------------------------------------------------------------------------
def _trim_errors(trim: Trim) -> dict[str, list[str]]:
    errors = money_errors(trim.msrp, field="msrp", low=ZERO, high=MAX_MSRP,
                          low_included=False)
    latest_year = timezone.localdate().year + 2
    if not EARLIEST_MODEL_YEAR <= trim.model_year <= latest_year:
        errors["model_year"] = [_("Enter a model year from %(low)s to %(high)s.")
                                % {"low": EARLIEST_MODEL_YEAR, "high": latest_year}]
    if not 1 <= trim.seats <= MAX_SEATS:
        errors["seats"] = [_("Enter 1 to %(max)s seats.") % {"max": MAX_SEATS}]
    if not trim.name.strip():
        errors["name"] = [_("Enter the trim's name.")]
    elif (Trim.objects.filter(series_id=trim.series_id, name=trim.name,
                              model_year=trim.model_year).exclude(pk=trim.pk).exists()):
        errors["name"] = [_("This series already has a %(year)s trim of this name.")
                          % {"year": trim.model_year}]
    return errors


def catalogue_save_or_refuse(instance: models.Model, *, field: str, message: str,
                             update_fields: list[str] | None = None) -> None:
    """Save a catalogue row whose uniqueness the service checked first. Two saves at the
    same instant meet the database constraint instead: the same refusal on `field`, not a
    500. (The contracts stage's accessories and packages save through it too.)"""
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ValidationError({field: [message]}) from error


def trim_create(*, actor: User, series: Series, name: str, model_year: int, powertrain: str,
                msrp: Decimal, seats: int = 5) -> Trim:
    """Add a trim to the group's catalogue, on sale. Side effects: an audit row and the
    first row of its price history."""
    _refuse_unless_admin(actor)
    trim = Trim(series=series, name=name.strip(), model_year=model_year,
                powertrain=powertrain, msrp=fen(Decimal(msrp)), seats=seats)
    with transaction.atomic():
        errors = _trim_errors(trim)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(trim, field="name", message=_("This trim exists already."))
        audit_created(actor=actor, instance=trim)
        price_change_record(actor=actor, item_kind=PriceKind.TRIM, item=trim, field="msrp",
                            old=None, new=trim.msrp)
    return trim


def trim_update(*, actor: User, trim: Trim, version: str, **values: Any) -> Trim:
    """Change a trim's fields. Side effects: an audit row of what changed; a price history
    row when the MSRP changed. Quotes already written keep the price they were given."""
    _refuse_unless_admin(actor)
    unknown = set(values) - set(TRIM_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Trim.objects.select_for_update(of=("self",)).get(pk=trim.pk)
        catalogue_ensure_current(locked=locked, fields=TRIM_FIELDS, version=version)
        old_msrp = locked.msrp
        for name, value in values.items():
            setattr(locked, name, value)
        locked.name = locked.name.strip()
        locked.msrp = fen(Decimal(locked.msrp))
        errors = _trim_errors(locked)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(locked, field="name", message=_("This trim exists already."),
                        update_fields=list(values))
        audit_changes(actor=actor, instance=locked)
        price_change_record(actor=actor, item_kind=PriceKind.TRIM, item=locked, field="msrp",
                            old=old_msrp, new=locked.msrp)
    return locked


def trim_set_active(*, actor: User, trim: Trim, is_active: bool) -> Trim:
    """Retire a trim (no new quotes offer it; quotes written keep it) or put it back on
    sale. Side effects: an audit row."""
    _refuse_unless_admin(actor)
    with transaction.atomic():
        locked = Trim.objects.select_for_update(of=("self",)).get(pk=trim.pk)
        catalogue_set_active(actor=actor, locked=locked, is_active=is_active)
    return locked


# --- Colours -------------------------------------------------------------------------------
def _colour_errors(colour: Colour) -> dict[str, list[str]]:
    errors = money_errors(colour.surcharge, field="surcharge", low=ZERO, high=MAX_SURCHARGE,
                          low_included=True)
    if not colour.name.strip():
        errors["name"] = [_("Enter the colour's name.")]
    elif (Colour.objects.filter(series_id=colour.series_id, name=colour.name)
          .exclude(pk=colour.pk).exists()):
        errors["name"] = [_("This series already has a colour of this name.")]
    if colour.hex_code and not HEX_CODE.fullmatch(colour.hex_code):
        errors["hex_code"] = [_("Enter the colour code as # and six hex digits, e.g. #1A2B3C.")]
    return errors


def colour_create(*, actor: User, series: Series, name: str, surcharge: Decimal = ZERO,
                  hex_code: str = "") -> Colour:
    """Add a colour to a series. Side effects: an audit row and the first row of its price
    (surcharge) history."""
    _refuse_unless_admin(actor)
    colour = Colour(series=series, name=name.strip(), hex_code=hex_code.strip(),
                    surcharge=fen(Decimal(surcharge)))
    with transaction.atomic():
        errors = _colour_errors(colour)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(colour, field="name", message=_("This colour exists already."))
        audit_created(actor=actor, instance=colour)
        price_change_record(actor=actor, item_kind=PriceKind.COLOUR, item=colour,
                            field="surcharge", old=None, new=colour.surcharge)
    return colour


def colour_update(*, actor: User, colour: Colour, version: str, **values: Any) -> Colour:
    """Change a colour's fields. Side effects: an audit row of what changed; a price
    history row when the surcharge changed."""
    _refuse_unless_admin(actor)
    unknown = set(values) - set(COLOUR_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Colour.objects.select_for_update(of=("self",)).get(pk=colour.pk)
        catalogue_ensure_current(locked=locked, fields=COLOUR_FIELDS, version=version)
        old_surcharge = locked.surcharge
        for name, value in values.items():
            setattr(locked, name, value)
        locked.name = locked.name.strip()
        locked.hex_code = locked.hex_code.strip()
        locked.surcharge = fen(Decimal(locked.surcharge))
        errors = _colour_errors(locked)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(locked, field="name", message=_("This colour exists already."),
                        update_fields=list(values))
        audit_changes(actor=actor, instance=locked)
        price_change_record(actor=actor, item_kind=PriceKind.COLOUR, item=locked,
                            field="surcharge", old=old_surcharge, new=locked.surcharge)
    return locked


def colour_set_active(*, actor: User, colour: Colour, is_active: bool) -> Colour:
    """Stop offering a colour or offer it again. Side effects: an audit row."""
    _refuse_unless_admin(actor)
    with transaction.atomic():
        locked = Colour.objects.select_for_update(of=("self",)).get(pk=colour.pk)
        catalogue_set_active(actor=actor, locked=locked, is_active=is_active)
    return locked
