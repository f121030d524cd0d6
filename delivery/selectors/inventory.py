"""Reads of the inventory screens: the board (aging buckets, status counts, the filtered
list), slow stock with the open A/B leads for each car's series, the shortage of cars for
signed contracts, and one vehicle's page. Each a fixed number of queries whatever the
number of rows; ages are ranges on `arrival_date` in the store's days, never computed in
SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import ON_HAND_STOCK_STATUSES, StockStatus
from dealership.models import AuditEntry, StockVehicle, Store, User
from dealership.permissions import has_role
from delivery.forms.inventory import AGING_BUCKETS, StockBoardFilter, bucket_arrival_range
from delivery.models import Allocation, DeliverySettings, StockImport
from delivery.permissions import INVENTORY_EDIT_ROLES, INVENTORY_VIEW_ROLES
from leads.enums import Grade
from leads.models import Lead
from leads.selectors.leads import lead_scope_for_user

# The cars the board works with: every status but delivered (the store's history).
OPEN_STOCK_STATUSES = tuple(status.value for status in StockStatus
                            if status != StockStatus.DELIVERED)
SLOW_STOCK_LIMIT = 50
LEADS_PER_CAR = 5
# Candidate leads read for the slow-stock panel at most (the most urgent first).
LEAD_CANDIDATES = 500
HISTORY_LIMIT = 20


# --- Scope ----------------------------------------------------------------------------------
def stock_scope_for_user(user: User) -> QuerySet[StockVehicle]:
    """The user's store's vehicles, for the roles of the inventory screens; else none."""
    if not has_role(user, *INVENTORY_VIEW_ROLES) or user.store_id is None:
        return StockVehicle.objects.none()
    return StockVehicle.objects.filter(store_id=user.store_id)


def stock_get_for_user(*, user: User, pk: int) -> StockVehicle:
    try:
        return (stock_scope_for_user(user)
                .select_related("store", "trim__series__brand", "colour").get(pk=pk))
    except (StockVehicle.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def delivery_settings_of(store: Store) -> DeliverySettings:
    """The store's thresholds; the defaults (unsaved) when the store has no row yet — a
    read never writes."""
    return (DeliverySettings.objects.filter(store=store).first()
            or DeliverySettings(store=store))


def _open_allocation_exists():
    return Exists(Allocation.objects.filter(vehicle=OuterRef("pk"), released_at__isnull=True))


# --- The board ------------------------------------------------------------------------------
def stock_board_figures(*, store: Store, today: dt.date) -> dict:
    """Counts per aging bucket (on-hand cars only) and per status, in one query."""
    aggregates = {}
    for index, (_key, _label, first, last) in enumerate(AGING_BUCKETS):
        earliest, latest = bucket_arrival_range(today, first, last)
        condition = Q(status__in=ON_HAND_STOCK_STATUSES, arrival_date__lte=latest)
        if earliest is not None:
            condition &= Q(arrival_date__gte=earliest)
        aggregates[f"bucket{index}"] = Count("id", filter=condition)
    for status in OPEN_STOCK_STATUSES:
        aggregates[f"status_{status}"] = Count("id", filter=Q(status=status))
    # Over the open stock only (the (store, status) index): the delivered cars are the
    # store's history, linked without a count.
    counts = StockVehicle.objects.filter(store=store, status__in=OPEN_STOCK_STATUSES
                                         ).aggregate(**aggregates)
    return {
        "buckets": [{"key": key, "label": label, "count": counts[f"bucket{index}"]}
                    for index, (key, label, _first, _last) in enumerate(AGING_BUCKETS)],
        "statuses": [{"key": status.value, "label": status.label,
                      "count": counts.get(f"status_{status.value}")}
                     for status in StockStatus],
    }


def stock_list_for_user(*, user: User, params, today: dt.date
                        ) -> tuple[StockBoardFilter, QuerySet[StockVehicle]]:
    """The board's rows: filtered by series, status, aging bucket and VIN, the oldest
    arrival first (cars in transit last)."""

    rows = (stock_scope_for_user(user).select_related("trim__series", "colour")
            .order_by(F("arrival_date").asc(nulls_last=True), "vin"))
    filterset = StockBoardFilter(params, queryset=rows, today=today)
    if not filterset.is_valid():
        return filterset, rows.none()
    if not filterset.form.cleaned_data.get("status"):
        # The store's cars still to sell or hand over; the delivered ones (the store's
        # whole history) only when asked for, so the page follows today's stock.
        return filterset, filterset.qs.filter(status__in=OPEN_STOCK_STATUSES)
    return filterset, filterset.qs


# --- Slow stock -----------------------------------------------------------------------------
@dataclass
class SlowCar:
    vehicle: StockVehicle
    age: int
    leads: list[Lead] = field(default_factory=list)


def slow_stock(*, user: User, store: Store, today: dt.date,
               threshold: int | None = None, limit: int = SLOW_STOCK_LIMIT,
               leads_per_car: int = LEADS_PER_CAR) -> list[SlowCar]:
    """Cars on hand for more than the store's `slow_stock_days` (age = store's today −
    arrival date), the oldest first, each with up to `leads_per_car` open leads of grade A
    or B of the same store whose model of interest names the car's series (the user's
    visible leads only: a consultant their own). Three queries at most: the threshold
    (unless given), the cars, the candidate leads (matched to the cars in Python)."""
    if threshold is None:
        threshold = delivery_settings_of(store).slow_stock_days
    cars = list(StockVehicle.objects.filter(
        store=store, status__in=ON_HAND_STOCK_STATUSES,
        arrival_date__lt=today - dt.timedelta(days=threshold))
        .select_related("trim__series", "colour").order_by("arrival_date", "vin")[:limit])
    slow = [SlowCar(vehicle=car, age=(today - car.arrival_date).days) for car in cars]
    names = {car.trim.series.name for car in cars if car.trim.series.name.strip()}
    if not names:
        return slow
    interest = Q()
    for name in names:
        interest |= Q(model_interest__icontains=name)
    candidates = list(
        # The stored open flag, not the statuses: the partial index on open leads
        # serves it, so the candidates are read from today's open work.
        lead_scope_for_user(user).filter(store=store, open=True, grade__in=(Grade.A, Grade.B))
        .filter(interest).select_related("customer", "owner")
        .order_by("grade", "-created_at", "-id")[:LEAD_CANDIDATES])
    for item in slow:
        series = item.vehicle.trim.series.name.casefold()
        item.leads = [lead for lead in candidates
                      if series in lead.model_interest.casefold()][:leads_per_car]
    return slow


# --- Shortage -------------------------------------------------------------------------------
@dataclass
class Shortage:
    trim_label: str
    colour_name: str
    signed: int
    available: int

    @property
    def short(self) -> int:
        return self.signed - self.available


def stock_shortage(*, store: Store) -> list[Shortage]:
    """Where signed contracts wait for more cars than the store can give them.

    The rule, per trim and colour (colour matched by name, case-insensitively: the
    contract keeps the colour's name, the car its Colour of the trim's series; a contract
    without a colour counts against cars without one): demand = the store's contracts in
    status signed with no open allocation; supply = the store's cars of that trim and
    colour in stock or in transit with no open allocation. Flagged when demand − supply > 0,
    by that many cars; the largest shortage first. Two queries.
    """
    waiting = (Contract.objects.filter(store=store, status=ContractStatus.SIGNED)
               .exclude(Exists(Allocation.objects.filter(contract=OuterRef("pk"),
                                                          released_at__isnull=True)))
               .values("trim_id", "trim__series__name", "trim__name", "trim__model_year",
                       "colour_name")
               .annotate(n=Count("id")).order_by())
    demand: dict[tuple[int, str], dict] = {}
    for row in waiting:
        key = (row["trim_id"], (row["colour_name"] or "").strip().casefold())
        entry = demand.setdefault(key, {"row": row, "n": 0})
        entry["n"] += row["n"]
    if not demand:
        return []
    free = (StockVehicle.objects.filter(store=store, status__in=(StockStatus.IN_STOCK,
                                                                  StockStatus.IN_TRANSIT),
                                        trim_id__in={trim for trim, _colour in demand})
            .exclude(_open_allocation_exists())
            .values("trim_id", "colour__name").annotate(n=Count("id")).order_by())
    supply: dict[tuple[int, str], int] = {}
    for row in free:
        key = (row["trim_id"], (row["colour__name"] or "").strip().casefold())
        supply[key] = supply.get(key, 0) + row["n"]
    shortages = []
    for key, entry in demand.items():
        row = entry["row"]
        item = Shortage(
            trim_label=f"{row['trim__series__name']} {row['trim__model_year']} "
                       f"{row['trim__name']}",
            colour_name=(row["colour_name"] or "").strip(), signed=entry["n"],
            available=supply.get(key, 0))
        if item.short > 0:
            shortages.append(item)
    return sorted(shortages, key=lambda s: (-s.short, s.trim_label, s.colour_name))


# --- One vehicle ----------------------------------------------------------------------------
def stock_open_allocation(vehicle: StockVehicle) -> Allocation | None:
    return (Allocation.objects.filter(vehicle=vehicle, released_at__isnull=True)
            .select_related("contract").first())


def stock_history(vehicle: StockVehicle, *, limit: int = HISTORY_LIMIT) -> list[AuditEntry]:
    """The vehicle's audit entries, the latest first."""
    return list(AuditEntry.objects.of(vehicle)
                .select_related("actor").order_by("-created_at", "-id")[:limit])


def stock_import_get_for_user(*, user: User, pk: int) -> StockImport:
    """A CSV import's report, for the store's editors (who made it) only."""
    if not has_role(user, *INVENTORY_EDIT_ROLES) or user.store_id is None:
        raise Http404
    try:
        return (StockImport.objects.select_related("uploaded_by")
                .get(pk=pk, store_id=user.store_id))
    except (StockImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def stock_imports_recent(*, user: User, limit: int = 10) -> list[StockImport]:
    if not has_role(user, *INVENTORY_EDIT_ROLES) or user.store_id is None:
        return []
    return list(StockImport.objects.filter(store_id=user.store_id).defer("rows")
                .select_related("uploaded_by").order_by("-created_at", "-id")[:limit])
