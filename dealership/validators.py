"""Normalisers and validators for the identifiers a dealership handles.

- phone numbers → E.164 with the `phonenumbers` library (default region CN);
- Chinese resident ID numbers → GB 11643-1999 check digit and a real birth date;
- VINs → 17 characters without I/O/Q and the ISO 3779 check digit in position 9, which
  GB 16735 makes mandatory for vehicles sold in China.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """Return `raw` as an E.164 string, or raise ValidationError if it is no valid number."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if any(ch.isalpha() for ch in text):
        # phonenumbers reads letters as keypad digits: a typo would become another number.
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        )
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid", params={"value": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    if normalize_phone(value) != value:
        raise ValidationError(_("Phone numbers are stored in E.164 form."), code="invalid")


# --- GB 11643-1999 resident identity number ----------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CODES = "10X98765432"
_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
}


def id_number_check_code(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CODES[total % 11]


def normalize_id_number(raw: str) -> str:
    """Validate an 18-character resident ID number and return it upper-cased."""
    value = (raw or "").strip().upper()
    # ASCII only: str.isdigit() also accepts "²" and the like, which int() refuses.
    last_ok = len(value) == 18 and value.isascii() and (value[17].isdigit() or value[17] == "X")
    if not last_ok or not value[:17].isdigit():
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="format"
        )
    if value[:2] not in _PROVINCE_CODES:
        raise ValidationError(_("The ID number starts with an unknown region code."),
                              code="region")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The ID number contains an impossible birth date."),
                              code="birth_date") from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(_("The ID number contains an impossible birth date."),
                              code="birth_date")
    if id_number_check_code(value[:17]) != value[17]:
        raise ValidationError(_("The ID number's check digit is wrong; please check it again."),
                              code="check_digit")
    return value


def validate_id_number(value: str) -> None:
    normalize_id_number(value)


# --- VIN (ISO 3779 / GB 16735) -------------------------------------------------------------
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(raw: str) -> str:
    value = (raw or "").strip().upper().replace(" ", "")
    if len(value) != 17:
        raise ValidationError(_("A VIN has exactly 17 characters."), code="length")
    if any(ch in "IOQ" for ch in value):
        raise ValidationError(_("A VIN never contains the letters I, O or Q."), code="letters")
    if any(ch not in _VIN_VALUES for ch in value):
        raise ValidationError(_("A VIN contains only digits and capital letters."),
                              code="characters")
    if vin_check_digit(value) != value[8]:
        raise ValidationError(
            _("The VIN's check digit (9th character) does not match; please check it again."),
            code="check_digit",
        )
    return value


def validate_vin(value: str) -> None:
    normalize_vin(value)


# --- Business ranges of typed dates (issue 10) ------------------------------------------------
# Every date or time a person types has a range that makes sense for the business: a walk-in
# arrived today, a follow-up is within the next year, a delivery within two years. Outside it
# the form says so in the user's language, and the service refuses it again (a year-1 date
# once reached PostgreSQL and broke every page that showed it).
def ensure_within(value: dt.date | dt.datetime | None, *, earliest=None, latest=None,
                  field: str | None = None) -> None:
    """Raise ValidationError (on `field`, if named) when `value` is outside the range.

    Datetimes are compared as instants; the message shows the bounds in the active time
    zone. Either bound may be None (open).
    """
    if value is None:
        return
    too_early = earliest is not None and value < earliest
    too_late = latest is not None and value > latest
    if not (too_early or too_late):
        return

    def shown(bound) -> str:
        if isinstance(bound, dt.datetime):
            return timezone.localtime(bound).strftime("%Y-%m-%d %H:%M")
        return bound.isoformat()

    if earliest is not None and latest is not None:
        message = _("Enter a date between %(earliest)s and %(latest)s.")
    elif earliest is not None:
        message = _("Enter a date on or after %(earliest)s.")
    else:
        message = _("Enter a date on or before %(latest)s.")
    params = {"earliest": shown(earliest) if earliest is not None else "",
              "latest": shown(latest) if latest is not None else ""}
    error = ValidationError(message, code="out_of_range", params=params)
    raise ValidationError({field: error}) if field else error

