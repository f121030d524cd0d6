"""One place that decides how personal data looks when it is not shown in full."""

from __future__ import annotations

import phonenumbers


def mask_phone(e164: str) -> str:
    """+8613812345678 → 138****5678 (national form, middle digits hidden)."""
    if not e164:
        return ""
    try:
        national = str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        national = "".join(ch for ch in e164 if ch.isdigit())
    if len(national) <= 7:
        return national[:2] + "*" * max(len(national) - 4, 1) + national[-2:]
    return national[:3] + "*" * (len(national) - 7) + national[-4:]


def format_phone(e164: str) -> str:
    """+8613812345678 → 138 1234 5678 for a Chinese number, international form otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        national = str(number.national_number)
        if len(national) == 11:
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_id_number(value: str) -> str:
    """440301199001011234 → 4403**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str) -> str:
    """张伟 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜; Latin names keep their first letters."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    if " " in name:
        return " ".join(part[0] + "." for part in name.split() if part)
    return name[0] + "*" * (len(name) - 2) + name[-1]
