"""The group executive's figures: the §3 figures of many stores at once (issue 13 §9).

`group_figures` is the grouped twin of `reports.metrics.store_figures`: the same queries,
with `store__in` and grouped by store, run once per set of stores that share a time zone
and a period (their store days then begin at the same instant). Its result for each store
equals `store_figures` for that store (tests/reports/test_group_figures.py proves it
store by store); any change to a §3 definition in reports.metrics must be made here too.
Aggregates only: no query here returns a customer or a consultant to the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from aftersales.models import Complaint
from aftersales.selectors.complaints import complaint_met_all_deadlines
from contracts.models import Contract
from dealership.enums import Role, StockStatus
from dealership.models import StockVehicle, Store, User
from dealership.permissions import has_role
from leads.enums import ACTIVE_STATUSES, ONLINE_CHANNELS, LeadStatus
from leads.models import Lead
from leads.selectors.periods import Period, period_for
from reports.enums import TargetMetric
from reports.metrics import (
    DRIVEN_STATUSES,
    FIGURES_QUERIES,
    FIRST_CONTACT_MINUTES,
    SLOW_STOCK_DAYS,
    Figures,
    Rate,
)
from reports.models import Target
from reports.selectors.targets import month_start
from showroom.enums import InvitationStatus
from showroom.models import Invitation, TestDrive, Visit
from showroom.selectors.invitations import DUE_STATUSES

# Per set of stores sharing a time zone and a period; plus one for the deal targets.
GROUP_FIGURES_QUERIES = FIGURES_QUERIES


def group_stores_for_user(user: User) -> QuerySet[Store]:
    """The active stores whose figures the user may see: the administrator every store,
    a group executive their group's."""
    stores = Store.objects.filter(is_active=True).order_by("code")
    if has_role(user, Role.ADMIN):
        return stores
    if has_role(user, Role.GROUP_EXEC) and user.dealer_group_id:
        return stores.filter(group_id=user.dealer_group_id)
    return stores.none()


@dataclass(frozen=True)
class StoreRow:
    """One store's line of the group table."""

    store: Store
    figures: Figures
    deals_target: Decimal | None  # the store's monthly deals target (a month only)

    @property
    def deals_vs_target(self) -> Rate | None:
        if self.deals_target is None:
            return None
        return Rate(self.figures.deals, int(self.deals_target))


def group_figures(*, stores: Sequence[Store], first_day: dt.date | None = None,
                  last_day: dt.date | None = None,
                  now: dt.datetime | None = None) -> dict[int, Figures]:
    """The §3 figures of each store (by id) for its days `first_day` … `last_day`, or,
    without `first_day`, for its own month to date (each store's today in its time zone).
    FIGURES_QUERIES queries per (time zone, period) among the stores, whatever their
    number or size."""
    now = now or timezone.now()
    batches: dict[tuple[str, dt.date, dt.date], list[Store]] = defaultdict(list)
    for store in stores:
        if first_day is None:
            today = store.today()
            first, last = month_start(today), today
        else:
            first, last = first_day, last_day or first_day
        batches[(store.timezone, first, last)].append(store)
    out: dict[int, Figures] = {}
    for (_tz, first, last), batch in batches.items():
        out.update(_batch_figures(batch, first, last, now))
    return out


def group_rows(*, stores: Sequence[Store], first_day: dt.date | None = None,
               last_day: dt.date | None = None, month: bool = True,
               now: dt.datetime | None = None) -> list[StoreRow]:
    """The group table: each store's figures, and (`month`) its deals target of the
    month the period falls in."""
    stores = list(stores)
    figures = group_figures(stores=stores, first_day=first_day, last_day=last_day, now=now)
    targets: dict[tuple[int, dt.date], Decimal] = {}
    if month and stores:
        months = {month_start(f.first_day) for f in figures.values()}
        targets = {(store_id, m): value for store_id, m, value in Target.objects.filter(
            store__in=stores, month__in=months, consultant__isnull=True,
            metric=TargetMetric.DEALS).values_list("store", "month", "value")}
    return [StoreRow(store=s, figures=figures[s.pk],
                     deals_target=targets.get((s.pk, month_start(figures[s.pk].first_day))))
            for s in stores]


# --- One batch: stores of one time zone, one period -------------------------------------
def _batch_figures(stores: list[Store], first_day: dt.date, last_day: dt.date,
                   now: dt.datetime) -> dict[int, Figures]:
    period = period_for(stores[0], first_day, last_day)
    ids = [s.pk for s in stores]
    visits = _visit_counts(ids, period)
    leads = _lead_counts(ids, period)
    deals = _deal_counts(ids, period)
    shows = _invitation_show_rates(ids, period)
    drives = _test_drive_rates(ids, period, stores[0].tzinfo)
    activation = _activation_rates(ids, now)
    slow = _slow_stock(ids, last_day)
    complaints = _complaint_slas(ids, period, now)
    out = {}
    for store in stores:
        v = visits.get(store.pk, {"first": 0, "returns": 0, "named": 0, "anonymous": 0})
        ld = leads.get(store.pk, {"created": 0, "visited": 0, "won": 0, "online": 0,
                                  "online_in_time": 0})
        n_deals = deals.get(store.pk, 0)
        out[store.pk] = Figures(
            store_code=store.code, first_day=first_day, last_day=last_day,
            walk_ins_first=v["first"], walk_ins_return=v["returns"], deals=n_deals,
            walk_in_conversion=Rate(n_deals, v["named"] + v["anonymous"]),
            lead_to_visit_rate=Rate(ld["visited"], ld["created"]),
            lead_to_deal_rate=Rate(ld["won"], ld["created"]),
            invitation_show_rate=shows.get(store.pk, Rate(0, 0)),
            test_drive_rate=drives.get(store.pk, Rate(0, 0)),
            activation_rate=activation.get(store.pk, Rate(0, 0)),
            first_contact_sla=Rate(ld["online_in_time"], ld["online"]),
            slow_stock=slow.get(store.pk, 0),
            complaint_sla=complaints.get(store.pk, Rate(0, 0)),
        )
    return out


def _visit_counts(ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    is_first = Q(first_visit=True)
    rows = (Visit.objects.filter(store__in=ids, arrived_at__gte=period.start,
                                 arrived_at__lt=period.end)
            .values("store").order_by()
            .annotate(first=Count("pk", filter=is_first),
                      returns=Count("pk", filter=Q(first_visit=False)),
                      named=Count("customer", filter=is_first, distinct=True),
                      anonymous=Count("pk", filter=is_first & Q(customer__isnull=True))))
    return {row.pop("store"): row for row in rows}


def _deal_counts(ids: list[int], period: Period) -> dict[int, int]:
    return dict(Contract.objects.filter(store__in=ids, signed_at__gte=period.start,
                                        signed_at__lt=period.end)
                .values("store").order_by().annotate(n=Count("pk")).values_list("store", "n"))


def _lead_counts(ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    within = dt.timedelta(minutes=FIRST_CONTACT_MINUTES)
    visited = Visit.objects.filter(
        Q(lead=OuterRef("pk"))
        | Q(customer=OuterRef("customer"), arrived_at__gte=OuterRef("created_at")))
    online = Q(channel__in=ONLINE_CHANNELS)
    rows = (Lead.objects.filter(store__in=ids, created_at__gte=period.start,
                                created_at__lt=period.end)
            .annotate(has_visit=Exists(visited))
            .values("store").order_by()
            .annotate(created=Count("pk"),
                      visited=Count("pk", filter=Q(has_visit=True)),
                      won=Count("pk", filter=Q(status=LeadStatus.WON)),
                      online=Count("pk", filter=online),
                      online_in_time=Count("pk", filter=online & Q(
                          first_touch_at__isnull=False,
                          first_touch_at__lte=F("created_at") + within))))
    return {row.pop("store"): row for row in rows}


def _invitation_show_rates(ids: list[int], period: Period) -> dict[int, Rate]:
    rows = (Invitation.objects.filter(store__in=ids, expected_at__gte=period.start,
                                      expected_at__lt=period.end, status__in=DUE_STATUSES)
            .values("store").order_by()
            .annotate(due=Count("pk"),
                      arrived=Count("pk", filter=Q(status=InvitationStatus.ARRIVED)))
            .values_list("store", "arrived", "due"))
    return {store: Rate(arrived, due) for store, arrived, due in rows}


def _test_drive_rates(ids: list[int], period: Period, tz) -> dict[int, Rate]:
    first_visits = list(
        Visit.objects.filter(store__in=ids, first_visit=True, arrived_at__gte=period.start,
                             arrived_at__lt=period.end)
        .values_list("store", "pk", "customer_id", "arrived_at"))
    drives = TestDrive.objects.filter(
        store__in=ids, status__in=DRIVEN_STATUSES,
        slot_start__gte=period.start - dt.timedelta(days=1),
        slot_start__lt=period.end + dt.timedelta(days=1),
    ).values_list("store", "visit_id", "customer_id", "started_at", "slot_start")
    by_visit: set[int] = set()
    by_customer_day: set[tuple[int, int, dt.date]] = set()
    for store, visit_id, customer_id, started_at, slot_start in drives:
        if visit_id:
            by_visit.add(visit_id)
        by_customer_day.add((store, customer_id,
                             (started_at or slot_start).astimezone(tz).date()))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for store, pk, customer_id, arrived_at in first_visits:
        counts[store][1] += 1
        if pk in by_visit or (customer_id and (
                store, customer_id, arrived_at.astimezone(tz).date()) in by_customer_day):
            counts[store][0] += 1
    return {store: Rate(driven, total) for store, (driven, total) in counts.items()}


def _activation_rates(ids: list[int], now: dt.datetime) -> dict[int, Rate]:
    # Every store's open leads from the partial index on open leads alone (the stored
    # flag lets the planner use it; status is never null and is in it, the id is not).
    rows = (Lead.objects.filter(store__in=ids, open=True)
            .values("store").order_by()
            .annotate(open=Count("status"),
                      meeting=Count("status", filter=Q(status__in=ACTIVE_STATUSES) & (
                          Q(follow_up_due_at__isnull=True) | Q(follow_up_due_at__gte=now))))
            .values_list("store", "meeting", "open"))
    return {store: Rate(meeting, n_open) for store, meeting, n_open in rows}


def _slow_stock(ids: list[int], last_day: dt.date) -> dict[int, int]:
    return dict(StockVehicle.objects.filter(
        store__in=ids, status=StockStatus.IN_STOCK,
        arrival_date__lt=last_day - dt.timedelta(days=SLOW_STOCK_DAYS),
    ).values("store").order_by().annotate(n=Count("pk")).values_list("store", "n"))


def _complaint_slas(ids: list[int], period: Period, now: dt.datetime) -> dict[int, Rate]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for complaint in Complaint.objects.filter(store__in=ids, received_at__gte=period.start,
                                              received_at__lt=period.end):
        counts[complaint.store_id][1] += 1
        if complaint_met_all_deadlines(complaint, now) is True:
            counts[complaint.store_id][0] += 1
    return {store: Rate(met, total) for store, (met, total) in counts.items()}


def group_period_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days the group view may be asked for: two years back to today."""
    return today.replace(year=today.year - 2, day=1), today

