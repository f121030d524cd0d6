"""The only writes of a stock vehicle's status. Every move is one of MOVES, locks the
vehicle's row, and is audited with the reason; receiving (one by one and by CSV) and the
demo switch are here, allocation and handover call `vehicle_move` inside their own
transactions.

    in_transit → in_stock → reserved → sold → delivered;   in_stock ⇄ demo
    reserved | sold → in_stock (allocation released);  in_transit stays in transit while
    allocated, and arrives reserved
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealership.enums import AuditAction, Role, StockStatus
from dealership.models import Colour, StockVehicle, Store, Trim, User
from dealership.permissions import has_role
from dealership.services.audit import audit_created, audit_log
from dealership.validators import ensure_within, normalize_vin
from delivery.models import DeliverySettings, StockImport
from delivery.permissions import INVENTORY_EDIT_ROLES

S = StockStatus
MOVES: dict[str, frozenset[str]] = {
    S.IN_TRANSIT: frozenset({S.IN_STOCK, S.RESERVED}),
    S.IN_STOCK: frozenset({S.RESERVED, S.DEMO}),
    S.RESERVED: frozenset({S.SOLD, S.IN_STOCK, S.DELIVERED}),
    S.SOLD: frozenset({S.DELIVERED, S.IN_STOCK, S.RESERVED}),
    S.DEMO: frozenset({S.IN_STOCK}),
    S.DELIVERED: frozenset(),
}


def vehicle_locked(vehicle: StockVehicle | int) -> StockVehicle:
    pk = vehicle if isinstance(vehicle, int) else vehicle.pk
    return (StockVehicle.objects.select_for_update(of=("self",))
            .select_related("store", "trim", "colour").get(pk=pk))


def vehicle_move(*, actor: User | None, vehicle: StockVehicle, to: str, reason: str = "",
                 **fields) -> StockVehicle:
    """Move the (already locked, or lockable) vehicle to status `to`, with any other
    `fields` set at the same time (e.g. arrival_date on arrival). A move outside MOVES is
    refused with the vehicle's current status, and nothing changes. Runs in the caller's
    transaction when there is one."""
    with transaction.atomic():
        locked = vehicle_locked(vehicle)
        before = locked.status
        if to not in MOVES[before]:
            raise ValidationError(
                _("The car %(vin)s is %(status)s; it cannot become %(to)s.")
                % {"vin": locked.vin, "status": locked.get_status_display(),
                   "to": S(to).label})
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.clean()
        locked.save(update_fields=["status", "updated_at", *fields])
        changes = {"status": [before, to]} | {
            name: [None, str(value)] for name, value in fields.items()}
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes=changes,
                  reason=reason)
        locked.audit_reset()
    vehicle.status = to
    for name, value in fields.items():
        setattr(vehicle, name, value)
    return locked


# --- Receiving ------------------------------------------------------------------------------
# An arrival is dated within the last three years of the store's days, never in the future.
ARRIVAL_YEARS_BACK = 3
RECEIVE_STATUSES = (S.IN_TRANSIT, S.IN_STOCK)
# A store still holds a car in these (sold and delivered ones have left its stock).
HELD_STATUSES = (S.IN_TRANSIT, S.IN_STOCK, S.RESERVED, S.DEMO)


def arrival_range(store: Store) -> tuple[dt.date, dt.date]:
    """The business range of a typed arrival date: (earliest, latest) in store days."""
    today = store.today()
    return today - dt.timedelta(days=365 * ARRIVAL_YEARS_BACK), today


def can_edit_stock(user: User) -> bool:
    """Receiving, arrivals and the demo switch: the store's manager (who holds the
    add/change permissions on stock vehicles)."""
    return (has_role(user, *INVENTORY_EDIT_ROLES) and user.store_id is not None
            and user.has_perm("dealership.add_stockvehicle")
            and user.has_perm("dealership.change_stockvehicle"))


def _ensure_editor(actor: User | None, store: Store) -> None:
    if actor is not None and not (can_edit_stock(actor) and actor.store_id == store.pk):
        raise PermissionDenied(_("Only the store's manager receives and moves stock."))


def stock_receive(*, actor: User | None, store: Store, vin: str, trim: Trim,
                  colour: Colour | None, cost: Decimal, list_price: Decimal, status: str,
                  arrival_date: dt.date | None = None, location: str = "",
                  reason: str = "") -> tuple[StockVehicle, bool]:
    """Receive one car into `store`; returns (vehicle, received).

    Idempotent on VIN: a VIN the store already has is not duplicated; if it is in transit
    and now received in stock it arrives (`stock_arrive`: reserved when it is allocated;
    received=True), otherwise it is left as it is (received=False). A VIN another store
    still holds (in transit, in stock, reserved or a demo car) is refused on `vin`: it moves
    by a transfer, not by a second receipt; one that store sold may come in again. The
    database holds a VIN once per store only (the tables are distributed by store), so this
    check is the service's. The colour must be one of the trim's series; an in-stock car needs
    its arrival date, within `arrival_range` (today by the store's clock at the latest).
    Side effects: the StockVehicle row and its audit row (created, or the arrival move).
    """
    _ensure_editor(actor, store)
    try:
        vin = normalize_vin(vin)
    except ValidationError as error:
        raise ValidationError({"vin": error.messages}) from None
    errors: dict[str, list[str]] = {}
    if status not in RECEIVE_STATUSES:
        errors["status"] = [_("A car is received in transit or in stock.")]
    if trim.series_id is None or (colour is not None and colour.series_id != trim.series_id):
        errors["colour"] = [_("This colour is not offered for this series.")]
    if status == S.IN_STOCK and arrival_date is None:
        errors["arrival_date"] = [_("A car received in stock needs its arrival date.")]
    if cost is None or cost < 0:
        errors["cost"] = [_("Enter a cost of 0 or more.")]
    if list_price is None or list_price <= 0:
        errors["list_price"] = [_("Enter a list price above 0.")]
    if errors:
        raise ValidationError(errors)
    earliest, latest = arrival_range(store)
    ensure_within(arrival_date, earliest=earliest, latest=latest, field="arrival_date")
    location = (location or "").strip()[:100]
    with transaction.atomic():
        existing = (StockVehicle.objects.select_for_update(of=("self",))
                    .filter(store=store, vin=vin).first())
        if existing is not None:
            if existing.status == S.IN_TRANSIT and status == S.IN_STOCK:
                stock_arrive(actor=actor, vehicle=existing, arrival_date=arrival_date,
                             location=location or existing.location)
                return existing, True
            return existing, False
        held_elsewhere = StockVehicle.objects.filter(vin=vin, status__in=HELD_STATUSES).exclude(
            store=store)
        if held_elsewhere.exists():
            raise ValidationError({"vin": [_("This VIN is in another store's stock.")]})
        vehicle = StockVehicle(store=store, vin=vin, trim=trim, colour=colour, cost=cost,
                               list_price=list_price, status=status,
                               arrival_date=arrival_date, location=location)
        vehicle.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                vehicle.save(force_insert=True)
        except IntegrityError:  # the same VIN received in the store at the same moment
            raise ValidationError(
                {"vin": [_("This VIN was just received by someone else; reload the stock "
                           "list.")]}) from None
        audit_created(actor=actor, instance=vehicle, reason=reason)
    return vehicle, True


def stock_arrive(*, actor: User | None, vehicle: StockVehicle, arrival_date: dt.date,
                 location: str = "") -> StockVehicle:
    """An in-transit car arrives: in stock, or reserved when an allocation is open for it
    (sold at once when that contract is already paid).
    The arrival date is within `arrival_range`. Side effects: the move and its audit row.
    """
    _ensure_editor(actor, vehicle.store)
    if arrival_date is None:
        raise ValidationError({"arrival_date": [_("Enter the arrival date.")]})
    earliest, latest = arrival_range(vehicle.store)
    ensure_within(arrival_date, earliest=earliest, latest=latest, field="arrival_date")
    with transaction.atomic():
        locked = vehicle_locked(vehicle)
        if locked.status != S.IN_TRANSIT:
            raise ValidationError(
                _("The car %(vin)s is %(status)s; only a car in transit arrives.")
                % {"vin": locked.vin, "status": locked.get_status_display()})
        allocation = (locked.allocations.filter(released_at__isnull=True)
                      .select_related("contract").first())
        fields = {"arrival_date": arrival_date}
        if location and location.strip():
            fields["location"] = location.strip()[:100]
        moved = vehicle_move(actor=actor, vehicle=vehicle,
                             to=S.RESERVED if allocation is not None else S.IN_STOCK,
                             reason=_("Arrived"), **fields)
        if allocation is not None:
            # A contract paid in full while its car was on the way: the car is sold now.
            from delivery.services.allocation import vehicle_sync_sold

            if vehicle_sync_sold(actor=actor, contract=allocation.contract):
                moved.refresh_from_db(fields=["status"])
        return moved


def stock_set_demo(*, actor: User | None, vehicle: StockVehicle, demo: bool) -> StockVehicle:
    """Make an in-stock car a demo car, or put a demo car back in stock (MOVES refuses any
    other start). Side effects: the move and its audit row."""
    _ensure_editor(actor, vehicle.store)
    return vehicle_move(actor=actor, vehicle=vehicle, to=S.DEMO if demo else S.IN_STOCK,
                        reason=_("Demo car") if demo else _("Back in stock from demo"))


# --- The store's thresholds -----------------------------------------------------------------
def delivery_settings_update(*, actor: User, store: Store, slow_stock_days: int,
                             at_risk_days: int) -> DeliverySettings:
    """Set the store's thresholds (made with the defaults on first use). Manager only.
    Side effects: the DeliverySettings row and an audit row of what changed."""
    if not (has_role(actor, Role.MANAGER) and actor.store_id == store.pk):
        raise PermissionDenied(_("Only the store's manager changes these settings."))
    with transaction.atomic():
        row, _created = DeliverySettings.objects.select_for_update().get_or_create(store=store)
        before = {"slow_stock_days": row.slow_stock_days, "at_risk_days": row.at_risk_days}
        row.slow_stock_days, row.at_risk_days = slow_stock_days, at_risk_days
        row.updated_by, row.updated_at = actor, timezone.now()
        row.full_clean(exclude=["store"])
        row.save()
        changes = {name: [before[name], getattr(row, name)] for name in before
                   if before[name] != getattr(row, name)}
        if changes or _created:
            audit_log(actor=actor, instance=row,
                      action=AuditAction.CREATE if _created else AuditAction.UPDATE,
                      changes=changes)
    return row


# --- CSV import -----------------------------------------------------------------------------
IMPORT_COLUMNS = ("vin", "series", "trim", "colour", "status", "arrival_date", "cost",
                  "list_price", "location")
IMPORT_REQUIRED = ("vin", "series", "trim", "status", "cost", "list_price")
RECEIVED, UNCHANGED, ERROR = "received", "unchanged", "error"
MAX_IMPORT_ROWS = 5000


def _status_codes() -> dict[str, str]:
    known: dict[str, str] = {}
    for value in RECEIVE_STATUSES:
        known[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                known[str(S(value).label).strip().lower()] = value
    return known


def _money(text: str) -> Decimal | None:
    value = text.replace(",", "").replace("，", "").replace("¥", "").replace(" ", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")) \
            or abs(number) >= Decimal("10000000000"):
        return None
    return number


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 text, as the lead import reads it."""
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


def csv_records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(spreadsheet row, cells, "") per record; (row, None, reason) if unreadable. A quoted
    cell spanning lines stays in its row, as a spreadsheet numbers it."""
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
        raise ValidationError({"file": [_("The file is empty.")]})
    names = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    for name in IMPORT_COLUMNS:
        if names.count(name) > 1:
            raise ValidationError({"file": [_("The column “%(column)s” appears twice in the "
                                              "header.") % {"column": name}]})
    missing = [name for name in IMPORT_REQUIRED if name not in names]
    if missing:
        raise ValidationError({"file": [
            _("The file is missing the column(s) %(missing)s. Its first row must name the "
              "columns: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(IMPORT_COLUMNS)}]})
    return {name: names.index(name) for name in IMPORT_COLUMNS if name in names}


def _read_row(cells: list[str], columns: dict[str, int], *, trims: dict, colours: dict,
              statuses: dict[str, str]) -> tuple[dict, list[str]]:
    """The row's stock_receive arguments, or its problems (all of them at once)."""
    values = {name: (cells[index].strip() if index < len(cells) else "")
              for name, index in columns.items()}
    values = {name: values.get(name, "") for name in IMPORT_COLUMNS}
    problems: list[str] = []
    fields: dict = {"location": values["location"][:100]}
    try:
        fields["vin"] = normalize_vin(values["vin"])
    except ValidationError as error:
        problems.append(_("VIN “%(value)s”: %(reason)s")
                        % {"value": values["vin"], "reason": " ".join(error.messages)})
    series = values["series"].lower()
    trim = trims.get((series, values["trim"].lower()))
    if trim is None:
        problems.append(_("No trim “%(trim)s” in series “%(series)s”.")
                        % {"trim": values["trim"], "series": values["series"]})
    fields["trim"] = trim
    fields["colour"] = None
    if values["colour"]:
        colour = colours.get((series, values["colour"].lower()))
        if colour is None:
            problems.append(_("No colour “%(colour)s” in series “%(series)s”.")
                            % {"colour": values["colour"], "series": values["series"]})
        fields["colour"] = colour
    status = statuses.get(values["status"].lower())
    if status is None:
        problems.append(_("Unknown status “%(value)s”; use in_transit or in_stock.")
                        % {"value": values["status"]})
    fields["status"] = status
    fields["arrival_date"] = None
    if values["arrival_date"]:
        fields["arrival_date"] = _date(values["arrival_date"])
        if fields["arrival_date"] is None:
            problems.append(_("arrival_date “%(value)s” is no date; use YYYY-MM-DD.")
                            % {"value": values["arrival_date"]})
    for name in ("cost", "list_price"):
        fields[name] = _money(values[name])
        if fields[name] is None:
            problems.append(_("%(column)s “%(value)s” is no amount of CNY.")
                            % {"column": name, "value": values[name]})
    return fields, problems


def stock_import(*, actor: User | None, store: Store, file: File | bytes,
                 filename: str = "") -> StockImport:
    """Receive a CSV of cars (UTF-8 with or without BOM, or GB18030; a header row naming
    the columns of IMPORT_COLUMNS; series, trim and colour by name) row by row.

    Every data row ends in one result, kept in the report with its spreadsheet row number
    (the header is row 1): received, unchanged (the store already has the VIN, or an
    earlier row of the file had it: importing the same file twice receives nothing), or
    error with every reason. The whole file is refused (ValidationError on `file`) when it
    cannot be decoded, lacks a required column or has no rows.
    Side effects: what stock_receive writes, per row; the StockImport row.
    """
    _ensure_editor(actor, store)
    data = file if isinstance(file, bytes) else file.read()
    filename = filename or getattr(file, "name", "") or "stock.csv"
    try:
        text = decode_csv(data)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    records = csv_records(text)
    first = next(records, None)
    columns = _header(first[1] if first else None)
    trims = {(t.series.name.lower(), t.name.lower()): t
             # the same trim name in several model years: the latest year's
             for t in Trim.objects.select_related("series").order_by("model_year", "id")}
    colours = {(c.series.name.lower(), c.name.lower()): c
               for c in Colour.objects.select_related("series")}
    statuses = _status_codes()
    report: list[dict] = []
    first_row_of: dict[str, int] = {}
    for number, cells, unreadable in records:
        if cells is not None and not any(cell.strip() for cell in cells):
            continue  # an empty line carries no car
        if len(report) >= MAX_IMPORT_ROWS:
            report.append({"row": number, "result": ERROR, "vin": "", "message": _(
                "The file has more than %(max)s rows; this row and the rest were not read.")
                % {"max": MAX_IMPORT_ROWS}})
            break
        if cells is None:
            report.append({"row": number, "result": ERROR, "vin": "", "message": _(
                "This row and the rest of the file could not be read (%(reason)s).")
                % {"reason": unreadable}})
            break
        fields, problems = _read_row(cells, columns, trims=trims, colours=colours,
                                     statuses=statuses)
        vin = fields.get("vin", "")
        if problems:
            report.append({"row": number, "result": ERROR, "vin": vin,
                           "message": " ".join(problems)})
            continue
        if vin in first_row_of:
            report.append({"row": number, "result": UNCHANGED, "vin": vin,
                           "message": _("Same VIN as row %(row)s.") % {"row": first_row_of[vin]}})
            continue
        first_row_of[vin] = number
        try:
            _vehicle, received = stock_receive(actor=actor, store=store, **fields,
                                              reason=_("CSV import"))
        except ValidationError as error:
            report.append({"row": number, "result": ERROR, "vin": vin,
                           "message": " ".join(error.messages)})
            continue
        except IntegrityError:
            report.append({"row": number, "result": ERROR, "vin": vin, "message": _(
                "Could not be saved at this moment; import the file again.")})
            continue
        report.append({"row": number, "result": RECEIVED if received else UNCHANGED,
                       "vin": vin,
                       "message": "" if received else _("Already in the store's stock.")})
    if not report:
        raise ValidationError({"file": [_("The file has no rows below the header.")]})
    counts = {result: sum(1 for entry in report if entry["result"] == result)
              for result in (RECEIVED, UNCHANGED, ERROR)}
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "stock.csv"
    return StockImport.objects.create(
        store=store, filename=name, uploaded_by=actor, received=counts[RECEIVED],
        unchanged=counts[UNCHANGED], errors=counts[ERROR], rows=report)
