"""Lead CSV import (DESIGN §4 "Lead CSV import"): the service and the reads of its results.

Every data row ends in exactly one of three results, kept in the batch's report:
imported (a lead was captured), duplicate (the phone is already a customer of the store,
or an earlier valid row of the file had it: nothing is written, so importing the same
file again creates nothing), or error (with the reason). Rows are numbered as a
spreadsheet numbers them: the header is row 1, and a quoted cell spanning several lines
stays in its row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.permissions import has_role
from dealership.validators import normalize_phone
from leads.enums import Channel, PurchaseWindow
from leads.forms.intake import MAX_BUDGET
from leads.models import Campaign, ImportBatch, ImportStatus
from leads.services.capture import lead_capture

COLUMNS = ("name", "phone", "channel", "model_interest", "purchase_window", "budget_min",
           "budget_max", "city", "note", "created_at")
REQUIRED_COLUMNS = ("name", "phone", "channel")
MAX_LENGTHS = {"name": 50, "model_interest": 100, "city": 50, "note": 1000}
# A row's created_at: from 2000-01-01 in the store (older records are no leads to work any
# more, and year 1 breaks the pages that show it) to now.
FIRST_DAY = dt.date(2000, 1, 1)

IMPORTED, DUPLICATE, ERROR = "imported", "duplicate", "error"
RESULTS = (IMPORTED, DUPLICATE, ERROR)


@dataclass
class _Row:
    number: int
    fields: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


# --- Reading the file -----------------------------------------------------------------------
def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is neither UTF-8 nor GB18030 text. Save it as “CSV (UTF-8)”."),
                code="encoding") from None
    text = text.removeprefix("\ufeff")  # GB18030 has a byte order mark of its own
    if "\x00" in text:
        raise ValidationError(
            _("The file contains NUL characters (is it UTF-16?). Save it as “CSV (UTF-8)”."),
            code="encoding")
    return text


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(spreadsheet row, cells, "") per record; (row, None, reason) if unreadable."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, None, str(error)
            return
        yield number, cells, ""


def _header(cells: list[str] | None) -> dict[str, int]:
    if not cells:
        raise ValidationError(_("The file is empty."), code="empty")
    names = [cell.strip().lower() for cell in cells]
    for name in COLUMNS:
        if names.count(name) > 1:
            raise ValidationError(_("The column “%(column)s” appears twice in the header.")
                                  % {"column": name}, code="header")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValidationError(
            _("The file is missing the column(s) %(missing)s. Its first row must name the "
              "columns: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
            code="header")
    return {name: names.index(name) for name in COLUMNS if name in names}


# --- Checking one row -----------------------------------------------------------------------
def _codes_and_labels(choices) -> dict[str, str]:
    """Accept a code or its label in either interface language, case-insensitively."""
    known: dict[str, str] = {}
    for value, label in choices.choices:
        known[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                known[str(label).strip().lower()] = value
    return known


def _parse_budget(text: str, column: str, row: _Row) -> int | None:
    value = text.replace(",", "").replace("，", "").replace(" ", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if (number is None or not number.is_finite() or number != number.to_integral_value()
            or not 0 <= number <= MAX_BUDGET):
        row.problems.append(_("%(column)s “%(value)s” is no whole number of CNY.")
                            % {"column": column, "value": text})
        return None
    return int(number)


def _parse_created_at(text: str, store: Store, now: dt.datetime, row: _Row):
    if not text:
        return None
    parsed = None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        for pattern in ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):
            try:
                parsed = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=store.tzinfo)  # a local time of the store
    if parsed is None:
        row.problems.append(_("created_at “%(value)s” is no date; use YYYY-MM-DD or "
                              "YYYY-MM-DD HH:MM.") % {"value": text})
        return None
    if parsed < dt.datetime.combine(FIRST_DAY, dt.time.min, tzinfo=store.tzinfo):
        row.problems.append(_("created_at “%(value)s” is before %(first)s.")
                            % {"value": text, "first": FIRST_DAY.isoformat()})
        return None
    if parsed > now:
        row.problems.append(_("created_at “%(value)s” is in the future.") % {"value": text})
        return None
    return parsed


def _check_row(row: _Row, cells: list[str], columns: dict[str, int], *, store: Store,
               campaign: Campaign | None, now: dt.datetime, channels: dict[str, str],
               windows: dict[str, str]) -> None:
    values = {name: (cells[index].strip() if index < len(cells) else "")
              for name, index in columns.items()}
    values = {name: values.get(name, "") for name in COLUMNS}
    fields = row.fields
    if not values["name"]:
        row.problems.append(_("Name missing."))
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            row.problems.append(_("%(column)s is longer than %(limit)s characters.")
                                % {"column": column, "limit": limit})
    if not values["phone"]:
        row.problems.append(_("Phone number missing."))
    else:
        try:
            fields["phone"] = normalize_phone(values["phone"])
        except ValidationError:
            row.problems.append(_("Invalid phone number."))
    channel = values["channel"]
    if not channel and campaign is not None:
        fields["channel"] = campaign.channel
    elif not channel:
        row.problems.append(_("Channel missing."))
    elif channel.lower() in channels:
        fields["channel"] = channels[channel.lower()]
    else:
        row.problems.append(_("Unknown channel “%(value)s”; use one of: %(codes)s.")
                            % {"value": channel, "codes": ", ".join(Channel.values)})
    window = values["purchase_window"]
    if window and window.lower() not in windows:
        row.problems.append(_("Unknown purchase_window “%(value)s”; use 3d, 1m or 3m+.")
                            % {"value": window})
    fields["purchase_window"] = windows.get(window.lower(), "")
    low = _parse_budget(values["budget_min"], "budget_min", row)
    high = _parse_budget(values["budget_max"], "budget_max", row)
    if low is not None and high is not None and low > high:
        row.problems.append(_("budget_min is above budget_max."))
    fields.update(budget_min=low, budget_max=high,
                  created_at=_parse_created_at(values["created_at"], store, now, row))
    fields.update({name: values[name] for name in ("name", "model_interest", "city", "note")})
    if any("\x00" in value for value in values.values()):
        row.problems.append(_("The row contains invalid characters."))


def _known_phones(store: Store, phones: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(phones), 1000):
        known.update(Customer.objects.filter(store=store, phone__in=phones[start:start + 1000])
                     .values_list("phone", flat=True))
    return known


# --- The core: check every row, then capture the good ones -----------------------------
# How often a running import writes its counts (one UPDATE per this many rows).
PROGRESS_EVERY = 100

Progress = Callable[[int, int, dict[str, int]], None]


def _check_file(*, store: Store, data: bytes, campaign: Campaign | None) -> list[_Row]:
    """Decode the file and check every row; refuses the whole file (ValidationError) when
    it cannot be decoded, lacks a required column or has no rows."""
    if campaign is not None and campaign.store_id != store.pk:
        raise ValidationError(_("The campaign belongs to another store."), code="campaign")
    text = _decode(data)
    records = _records(text)
    first = next(records, None)
    columns = _header(first[1] if first else None)
    now = timezone.now()
    channels, windows = _codes_and_labels(Channel), _codes_and_labels(PurchaseWindow)
    rows: list[_Row] = []
    for number, cells, unreadable in records:
        row = _Row(number)
        if cells is None:
            row.problems.append(_("This row and the rest of the file could not be read "
                                  "(%(reason)s).") % {"reason": unreadable})
        elif not any(cell.strip() for cell in cells):
            continue  # an empty line carries no lead
        else:
            _check_row(row, cells, columns, store=store, campaign=campaign, now=now,
                       channels=channels, windows=windows)
        rows.append(row)
    if not rows:
        raise ValidationError(_("The file has no rows below the header."), code="empty")
    return rows


def import_file_check(data: bytes) -> None:
    """The quick look an upload gets before it is queued: readable text, the required
    columns, at least one row. Raises the ValidationError the import itself would."""
    records = _records(_decode(data))
    first = next(records, None)
    _header(first[1] if first else None)
    for _number, cells, _unreadable in records:
        if cells is None or any(cell.strip() for cell in cells):
            return
    raise ValidationError(_("The file has no rows below the header."), code="empty")


def import_rows(*, store: Store, data: bytes, actor: User | None,
                campaign: Campaign | None = None,
                progress: Progress | None = None) -> list[dict]:
    """Import a CSV of leads into `store`, row by row; return the report
    ([{"row", "result", "message"}] in file order).

    Refuses the whole file (ValidationError) when it cannot be decoded or lacks a required
    column. Each valid row with a new phone goes through lead_capture in its own
    transaction, so a row's lead, customer, routing and timeline are written together.
    `progress(rows_total, rows_done, counts)` is called before the first row and then every
    PROGRESS_EVERY rows. Side effects: customers, leads and their timelines.
    """
    rows = _check_file(store=store, data=data, campaign=campaign)
    known = _known_phones(store, [row.fields["phone"] for row in rows if "phone" in row.fields])
    first_row_of: dict[str, int] = {}
    report = []
    counts = dict.fromkeys(RESULTS, 0)
    if progress is not None:
        progress(len(rows), 0, counts)
    for done, row in enumerate(rows, start=1):
        result, message = _import_row(row, store=store, actor=actor, campaign=campaign,
                                      known=known, first_row_of=first_row_of)
        report.append({"row": row.number, "result": result, "message": message})
        counts[result] += 1
        if progress is not None and done % PROGRESS_EVERY == 0 and done < len(rows):
            progress(len(rows), done, counts)
    return report


def report_counts(report: list[dict]) -> dict[str, int]:
    return {result: sum(1 for entry in report if entry["result"] == result)
            for result in RESULTS}


def import_leads_csv(*, store: Store, data: bytes, filename: str, actor: User | None,
                     campaign: Campaign | None = None) -> ImportBatch:
    """Import a CSV of leads right away (`manage.py import_leads`) and keep the report.

    The same core as the web upload's background job (`import_rows`); a refused file
    raises ValidationError and leaves no batch. Side effects: those of import_rows; the
    finished ImportBatch row.
    """
    started = timezone.now()
    report = import_rows(store=store, data=data, actor=actor, campaign=campaign)
    counts = report_counts(report)
    return ImportBatch.objects.create(
        store=store, filename=display_name(filename), campaign=campaign,
        uploaded_by=actor, status=ImportStatus.DONE, created_at=started, started_at=started,
        finished_at=timezone.now(), rows_total=len(report), rows_done=len(report),
        imported=counts[IMPORTED], duplicates=counts[DUPLICATE], errors=counts[ERROR],
        rows=report)


def display_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "import.csv"


def _import_row(row: _Row, *, store: Store, actor: User | None, campaign: Campaign | None,
                known: set[str], first_row_of: dict[str, int]) -> tuple[str, str]:
    if row.problems:
        return ERROR, " ".join(row.problems)
    fields = row.fields
    phone = fields["phone"]
    if phone in first_row_of:
        return DUPLICATE, _("Same phone as row %(row)s.") % {"row": first_row_of[phone]}
    first_row_of[phone] = row.number
    if phone in known:
        return DUPLICATE, _("Already a customer of the store.")
    try:
        lead_capture(store=store, actor=actor, campaign=campaign, **fields)
    except ValidationError as error:
        return ERROR, " ".join(error.messages)
    except IntegrityError:  # lost a race with another writer of the same customer
        return ERROR, _("Could not be saved at this moment; import the file again.")
    return IMPORTED, ""


# --- Reads ----------------------------------------------------------------------------------
def import_batch_scope_for_user(user: User) -> QuerySet[ImportBatch]:
    batches = ImportBatch.objects.select_related("uploaded_by", "store")
    if has_role(user, Role.ADMIN):
        return batches
    if user.store_id is None or not has_role(user, Role.MARKETING, Role.MANAGER):
        return batches.none()
    return batches.filter(store_id=user.store_id)


def import_batch_list_for_user(*, user: User) -> QuerySet[ImportBatch]:
    """The imports of the user's store, newest first, without their (long) row reports."""
    return import_batch_scope_for_user(user).defer("rows").order_by("-created_at", "-id")


def import_batch_get_for_user(*, user: User, pk: int) -> ImportBatch:
    try:
        return import_batch_scope_for_user(user).get(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404 from None
