"""After-sales selectors: the owner's file (seed 004 客户档案), the owners' list and the
data-quality list of the files still incomplete after delivery.

Every read is scoped by aftersales.permissions.customer_scope_q / is_customer_in_scope
(the store's owners for the store-wide roles, the own / team's book for the sellers) and
runs a fixed number of queries whatever the rows: each source of the file's timeline is
one query, capped at TIMELINE_LIMIT rows, merged and sorted in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from aftersales.enums import CareStepKind, CareStepStatus, ComplaintDepartment
from aftersales.models import (
    CareSettings,
    CareStep,
    Complaint,
    LoyaltyAccount,
    ServiceRecord,
    Survey,
)
from aftersales.permissions import customer_scope_q, is_customer_in_scope
from contracts.enums import ContractStatus
from contracts.models import Contract, Quote
from contracts.permissions import CONTRACT_VIEW_ROLES
from dealership.enums import Role
from dealership.models import Customer
from dealership.money import ZERO
from dealership.permissions import has_role
from delivery.models import Allocation, Handover
from leads.models import Lead
from showroom.models import TestDrive, Visit

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from dealership.models import Store, User

# A car is owned once its contract is handed over (closed contracts were delivered first).
DELIVERED_STATUSES = (ContractStatus.DELIVERED, ContractStatus.CLOSED)
# Each source of the timeline reads at most this many of its latest rows.
TIMELINE_LIMIT = 200
# The data-quality list: owners delivered in the last 30 store days (today and the 30
# days before it), whose file must be complete within 2 store days of delivery (seed 004).
DATA_QUALITY_DAYS = 30
DATA_QUALITY_DEADLINE_DAYS = 2

# The fields an owner's file must hold (seed 004 客户档案), checked by the data-quality
# list: the customer's name, mobile phone, ID number, address and gender; the plate of
# the delivered car (delivery's Handover); the usage from the needs analysis (the latest
# showroom visit that recorded it).
REQUIRED_FIELDS: tuple[tuple[str, Promise], ...] = (
    ("name", _("Name")),
    ("phone", _("Mobile phone")),
    ("id_number", _("ID number")),
    ("address", _("Address")),
    ("gender", _("Gender")),
    ("plate_number", _("Plate number")),
    ("usage", _("Usage (needs analysis)")),
)


# --- Scope ---------------------------------------------------------------------------------
def _delivered_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(status__in=DELIVERED_STATUSES)


def owner_scope_for_user(user: User) -> QuerySet[Customer]:
    """The customers this user may open who own a delivered car (store-wide roles: the
    store's; consultant / supervisor: the own / team's book; anyone else: none)."""
    owns = _delivered_contracts().filter(customer_scope_q(user), customer=OuterRef("pk"))
    return Customer.objects.filter(Exists(owns))


def owner_customer_get_for_user(*, user: User, pk: int) -> Customer:
    """The customer of an owner's file; Http404 outside the user's scope."""
    try:
        customer = (Customer.objects.select_related("owner__team")
                    .get(pk=pk, store_id=user.store_id))
    except (Customer.DoesNotExist, ValueError):
        raise Http404 from None
    if user.store_id is None or not is_customer_in_scope(user, customer):
        raise Http404
    return customer


def is_owner(customer: Customer) -> bool:
    """Whether the customer owns a delivered car (one query)."""
    return _delivered_contracts().filter(customer_id=customer.pk).exists()


def can_open_contracts(user: User) -> bool:
    """Whether the file links the contract number to the contract page (the sellers, who
    open it in the same scope as the file)."""
    return has_role(user, *CONTRACT_VIEW_ROLES)


# --- Next maintenance due ------------------------------------------------------------------
@dataclass(frozen=True)
class NextDue:
    on: dt.date | None
    km: int | None
    # "record": from the latest service record; "plan": the care plan's first maintenance.
    source: str

    @property
    def known(self) -> bool:
        return self.on is not None or self.km is not None


NO_DUE = NextDue(on=None, km=None, source="")


@dataclass(frozen=True)
class MaintenanceRules:
    """The store's CareSettings that set the next maintenance (the model's defaults until
    the store saves its settings)."""

    first_km: int
    interval_days: int
    interval_km: int


@dataclass(frozen=True)
class RecordFacts:
    """What the next maintenance needs of the latest service record."""

    serviced_on: dt.date
    mileage: int
    next_due_on: dt.date | None
    next_due_km: int | None


_RULE_FIELDS = ("first_maintenance_km", "maintenance_interval_days", "maintenance_interval_km")


def maintenance_rules_of(store_id: int) -> MaintenanceRules:
    values = (CareSettings.objects.filter(store_id=store_id)
              .values_list(*_RULE_FIELDS).first())
    if values is None:
        values = [CareSettings._meta.get_field(name).default for name in _RULE_FIELDS]
    return MaintenanceRules(*values)


def next_due(*, record: RecordFacts | None, plan_due_on: dt.date | None,
             rules: MaintenanceRules) -> NextDue:
    """The latest service record's next due date and mileage; a record that set neither
    is followed by the store's interval from its day and mileage; without a record, the
    care plan's first-maintenance step with the store's first mileage."""
    if record is not None:
        if record.next_due_on is not None or record.next_due_km is not None:
            return NextDue(on=record.next_due_on, km=record.next_due_km, source="record")
        return NextDue(on=record.serviced_on + dt.timedelta(days=rules.interval_days),
                       km=record.mileage + rules.interval_km, source="interval")
    if plan_due_on is not None:
        return NextDue(on=plan_due_on, km=rules.first_km, source="plan")
    return NO_DUE


# --- The owner's file ----------------------------------------------------------------------
@dataclass(frozen=True)
class OwnedVehicle:
    contract: Contract
    vin: str
    model: str
    colour: str
    plate_number: str
    plate_registered_on: dt.date | None
    delivered_on: dt.date | None


@dataclass(frozen=True)
class ServiceHistoryRow:
    record: ServiceRecord
    items: list
    total: Decimal


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # a CSS-safe word: lead, visit, test_drive, quote, contract, delivered, ...
    title: str
    detail: str = ""
    # Only a date is known (a service record's day): the page shows no time.
    date_only: bool = False


@dataclass
class OwnerFile:
    customer: Customer
    vehicles: list[OwnedVehicle]
    service_history: list[ServiceHistoryRow]
    next_due: NextDue
    needs: Visit | None
    points: int | None
    timeline: list[TimelineEntry]
    can_open_contracts: bool
    today: dt.date


def _store_day(moment: dt.datetime | None, store: Store) -> dt.date | None:
    return timezone.localdate(moment, store.tzinfo) if moment is not None else None


def _record_moment(record: ServiceRecord, store: Store) -> dt.datetime:
    """A record has a day: it sorts at the moment it was written when that was on its
    day, otherwise (a record typed in later) at the start of its day."""
    if _store_day(record.created_at, store) == record.serviced_on:
        return record.created_at
    return store.day_bounds(record.serviced_on)[0]


def _vehicles(contracts: list[Contract], store: Store) -> list[OwnedVehicle]:
    delivered = [c for c in contracts if c.status in DELIVERED_STATUSES]
    allocations = {
        a.contract_id: a for a in Allocation.objects.filter(
            contract_id__in=[c.pk for c in delivered], released_at__isnull=True,
        ).select_related("vehicle__trim__series__brand", "vehicle__colour")
    } if delivered else {}
    rows = []
    for contract in delivered:
        allocation = allocations.get(contract.pk)
        vehicle = allocation.vehicle if allocation is not None else None
        handover = getattr(contract, "handover", None)
        rows.append(OwnedVehicle(
            contract=contract,
            vin=vehicle.vin if vehicle is not None else "",
            model=str(vehicle.trim) if vehicle is not None else contract.vehicle_description,
            colour=(str(vehicle.colour) if vehicle is not None and vehicle.colour_id
                    else contract.colour_name),
            plate_number=handover.plate_number if handover is not None else "",
            plate_registered_on=handover.plate_registered_on if handover is not None else None,
            delivered_on=_store_day(contract.delivered_at, store),
        ))
    return rows


def _has_needs(visit: Visit) -> bool:
    return bool(visit.usage or visit.focus_points or visit.customer_type)


def owner_file(*, user: User, customer: Customer) -> OwnerFile:
    """Everything the owner's file shows, in a fixed number of queries (one per source)."""
    store = user.store
    cap = TIMELINE_LIMIT
    contracts = list(Contract.objects.filter(customer=customer)
                     .select_related("handover", "consultant")
                     .order_by("-created_at", "-id")[:cap])
    vehicles = _vehicles(contracts, store)
    records = list(ServiceRecord.objects.filter(store_id=customer.store_id, customer=customer)
                   .select_related("advisor", "vehicle")
                   .prefetch_related("items").order_by("-serviced_on", "-id")[:cap])
    history = [ServiceHistoryRow(record=r, items=list(r.items.all()),
                                 total=sum((i.amount for i in r.items.all()), ZERO))
               for r in records]
    steps = list(CareStep.objects.filter(customer=customer).filter(
        Q(status__in=(CareStepStatus.DONE, CareStepStatus.SKIPPED))
        | Q(kind=CareStepKind.FIRST_MAINTENANCE)).order_by("-due_on", "-id")[:cap])
    first_steps = [s for s in steps if s.kind == CareStepKind.FIRST_MAINTENANCE]
    latest = records[0] if records else None
    facts = (RecordFacts(serviced_on=latest.serviced_on, mileage=latest.mileage,
                         next_due_on=latest.next_due_on, next_due_km=latest.next_due_km)
             if latest is not None else None)
    due = next_due(record=facts, plan_due_on=first_steps[0].due_on if first_steps else None,
                   rules=maintenance_rules_of(customer.store_id))
    visits = list(Visit.objects.filter(customer=customer)
                  .order_by("-arrived_at", "-id")[:cap])
    needs = next((v for v in visits if _has_needs(v)), None)
    points = (LoyaltyAccount.objects.filter(customer=customer)
              .values_list("balance", flat=True).first())
    timeline = _timeline(user=user, customer=customer, store=store, contracts=contracts,
                         records=records, steps=steps, visits=visits)
    return OwnerFile(customer=customer, vehicles=vehicles, service_history=history,
                     next_due=due, needs=needs, points=points, timeline=timeline,
                     can_open_contracts=can_open_contracts(user), today=store.today())


def _timeline(*, user: User, customer: Customer, store: Store, contracts: list[Contract],
              records: list[ServiceRecord], steps: list[CareStep],
              visits: list[Visit]) -> list[TimelineEntry]:
    """One timeline, oldest first, from the first lead to the latest service, survey and
    complaint. Contracts, records, steps and visits are already loaded; leads, test
    drives, quotes, surveys and complaints are one query each. As on their own screens, a
    consultant or service advisor sees the scores of surveys about themselves only, and
    a service advisor the complaints owned by the service department only."""
    cap = TIMELINE_LIMIT
    own_scores_only = has_role(user, Role.CONSULTANT, Role.SERVICE_ADVISOR)
    complaints = Complaint.objects.filter(store_id=customer.store_id, customer=customer)
    if has_role(user, Role.SERVICE_ADVISOR):
        complaints = complaints.filter(department=ComplaintDepartment.SERVICE)
    entries: list[TimelineEntry] = []
    for lead in (Lead.objects.filter(customer=customer)
                 .order_by("-created_at", "-id")[:cap]):
        entries.append(TimelineEntry(at=lead.created_at, kind="lead",
                                     title=_t("Lead created"),
                                     detail=lead.get_channel_display()))
    for visit in visits:
        entries.append(TimelineEntry(at=visit.arrived_at, kind="visit",
                                     title=_t("Showroom visit"),
                                     detail=visit.get_outcome_display() if visit.outcome
                                     else ""))
    for drive in (TestDrive.objects.filter(customer=customer)
                  .select_related("vehicle__trim__series__brand")
                  .order_by("-slot_start", "-id")[:cap]):
        entries.append(TimelineEntry(at=drive.started_at or drive.slot_start,
                                     kind="test_drive", title=_t("Test drive"),
                                     detail=f"{drive.vehicle.trim} · "
                                            f"{drive.get_status_display()}"))
    for quote in Quote.objects.filter(customer=customer).order_by("-created_at", "-id")[:cap]:
        entries.append(TimelineEntry(at=quote.created_at, kind="quote",
                                     title=_t("Quote"), detail=quote.number))
    for contract in contracts:
        if contract.signed_at is not None:
            entries.append(TimelineEntry(at=contract.signed_at, kind="contract",
                                         title=_t("Contract signed"),
                                         detail=contract.number))
        if contract.delivered_at is not None:
            entries.append(TimelineEntry(at=contract.delivered_at, kind="delivered",
                                         title=_t("Car delivered"),
                                         detail=contract.vehicle_description))
    for step in steps:
        if step.done_at is not None and step.status in (CareStepStatus.DONE,
                                                         CareStepStatus.SKIPPED):
            title = (_t("%(step)s done") if step.status == CareStepStatus.DONE
                     else _t("%(step)s skipped")) % {"step": step.get_kind_display()}
            entries.append(TimelineEntry(at=step.done_at, kind=f"care_{step.status}",
                                         title=title, detail=step.outcome))
    for record in records:
        entries.append(TimelineEntry(
            at=_record_moment(record, store), kind="service", date_only=True,
            title=pgettext("timeline", "Service: %(type)s")
            % {"type": record.get_appointment_type_display()},
            detail=_t("%(km)s km") % {"km": record.mileage}))
    for survey in (Survey.objects.filter(customer=customer, answered_at__isnull=False)
                   .order_by("-answered_at", "-id")[:cap]):
        shown = survey.lowest_score is not None and (
            not own_scores_only or survey.staff_id == user.pk)
        entries.append(TimelineEntry(
            at=survey.answered_at, kind="survey",
            title=_t("Survey answered: %(kind)s") % {"kind": survey.get_kind_display()},
            detail=(_t("lowest score %(score)s") % {"score": survey.lowest_score}
                    if shown else "")))
    for complaint in complaints.order_by("-received_at", "-id")[:cap]:
        entries.append(TimelineEntry(at=complaint.received_at, kind="complaint",
                                     title=_t("Complaint received"),
                                     detail=f"{complaint.number} · {complaint.summary}"))
        if complaint.closed_at is not None:
            entries.append(TimelineEntry(at=complaint.closed_at, kind="complaint_closed",
                                         title=_t("Complaint closed"),
                                         detail=complaint.number))
    entries.sort(key=lambda entry: entry.at)
    return entries


# --- The owners' list ----------------------------------------------------------------------
def _plate_or_vin_q(term: str) -> Q:
    compact = "".join(term.split()).upper()
    plate = Handover.objects.filter(contract__customer=OuterRef("pk"),
                                    plate_number__icontains=compact)
    vin = Allocation.objects.filter(contract__customer=OuterRef("pk"),
                                    released_at__isnull=True,
                                    contract__status__in=DELIVERED_STATUSES,
                                    vehicle__vin__iendswith=compact)
    return Q(Exists(plate)) | Q(Exists(vin))


def owner_list_for_user(*, user: User, search: str = "",
                        consultant: User | None = None) -> QuerySet[Customer]:
    """The user's owners by name (the store's customer-name index), searched by name,
    plate or the tail of the VIN, optionally those of one consultant; annotated with the
    latest delivered contract and what the next maintenance is computed from."""
    customers = owner_scope_for_user(user).filter(store_id=user.store_id)
    if search := search.strip():
        customers = customers.filter(Q(name__icontains=search) | _plate_or_vin_q(search))
    if consultant is not None:
        customers = customers.filter(owner=consultant)
    latest_contract = (_delivered_contracts().filter(customer=OuterRef("pk"))
                       .order_by("-delivered_at", "-id"))
    latest_record = (ServiceRecord.objects.filter(store=OuterRef("store"),
                                                  customer=OuterRef("pk"))
                     .order_by("-serviced_on", "-id"))
    first_step = (CareStep.objects.filter(customer=OuterRef("pk"),
                                          kind=CareStepKind.FIRST_MAINTENANCE)
                  .order_by("-due_on", "-id"))
    return (customers.select_related("owner").annotate(
        latest_contract_id=Subquery(latest_contract.values("pk")[:1]),
        record_on=Subquery(latest_record.values("serviced_on")[:1]),
        record_mileage=Subquery(latest_record.values("mileage")[:1]),
        record_next_on=Subquery(latest_record.values("next_due_on")[:1]),
        record_next_km=Subquery(latest_record.values("next_due_km")[:1]),
        plan_due_on=Subquery(first_step.values("due_on")[:1]),
    ).order_by("name", "pk"))


@dataclass(frozen=True)
class OwnerRow:
    customer: Customer
    contract: Contract | None
    vin: str
    delivered_on: dt.date | None
    next_due: NextDue


def _record_facts(customer: Customer) -> RecordFacts | None:
    if customer.record_on is None:
        return None
    return RecordFacts(serviced_on=customer.record_on, mileage=customer.record_mileage,
                       next_due_on=customer.record_next_on, next_due_km=customer.record_next_km)


def owner_rows(customers: list[Customer], *, store: Store) -> list[OwnerRow]:
    """The page's rows: the latest delivered car of each (one query) and the next
    maintenance (the store's first mileage: one query)."""
    if not customers:
        return []
    open_vin = (Allocation.objects.filter(contract=OuterRef("pk"), released_at__isnull=True)
                .values("vehicle__vin")[:1])
    contracts = {c.pk: c for c in Contract.objects.filter(
        pk__in=[c.latest_contract_id for c in customers]).select_related("handover")
        .annotate(vin=Subquery(open_vin))}
    rules = maintenance_rules_of(store.pk)
    rows = []
    for customer in customers:
        contract = contracts.get(customer.latest_contract_id)
        rows.append(OwnerRow(
            customer=customer, contract=contract,
            vin=(contract.vin or "") if contract is not None else "",
            delivered_on=_store_day(contract.delivered_at, store) if contract else None,
            next_due=next_due(record=_record_facts(customer), plan_due_on=customer.plan_due_on,
                              rules=rules)))
    return rows


# --- The data-quality list -----------------------------------------------------------------
@dataclass(frozen=True)
class IncompleteFile:
    contract: Contract
    customer: Customer
    delivered_on: dt.date
    days: int
    missing: list[str]

    @property
    def overdue(self) -> bool:
        return self.days > DATA_QUALITY_DEADLINE_DAYS


@dataclass
class ConsultantFiles:
    consultant: User | None
    files: list[IncompleteFile]

    @property
    def overdue_count(self) -> int:
        return sum(1 for f in self.files if f.overdue)


def missing_fields(contract: Contract, *, usage: str | None) -> list[str]:
    """The labels of REQUIRED_FIELDS this delivered contract's owner's file lacks."""
    customer = contract.customer
    handover = getattr(contract, "handover", None)
    values = {
        "name": customer.name, "phone": customer.phone, "id_number": customer.id_number,
        "address": customer.address, "gender": customer.gender,
        "plate_number": handover.plate_number if handover is not None else "",
        "usage": usage or "",
    }
    return [str(label) for name, label in REQUIRED_FIELDS if not str(values[name]).strip()]


def data_quality_for_user(*, user: User, today: dt.date) -> list[ConsultantFiles]:
    """The owners delivered in the last DATA_QUALITY_DAYS store days whose file still
    misses a required field, grouped per consultant (by name), oldest delivery first;
    erased (anonymised) customers are left out. One query."""
    store = user.store
    since = store.day_bounds(today - dt.timedelta(days=DATA_QUALITY_DAYS))[0]
    usage = (Visit.objects.filter(customer=OuterRef("customer_id")).exclude(usage="")
             .order_by("-arrived_at", "-id").values("usage")[:1])
    contracts = (_delivered_contracts()
                 .filter(customer_scope_q(user), store_id=user.store_id,
                         delivered_at__gte=since, customer__anonymised_at__isnull=True)
                 .select_related("customer", "consultant", "handover")
                 .annotate(needs_usage=Subquery(usage))
                 .order_by("consultant__name", "consultant_id", "delivered_at", "id"))
    groups: dict[int | None, ConsultantFiles] = {}
    for contract in contracts:
        missing = missing_fields(contract, usage=contract.needs_usage)
        if not missing:
            continue
        delivered_on = _store_day(contract.delivered_at, store)
        group = groups.setdefault(contract.consultant_id,
                                  ConsultantFiles(consultant=contract.consultant, files=[]))
        group.files.append(IncompleteFile(contract=contract, customer=contract.customer,
                                          delivered_on=delivered_on,
                                          days=(today - delivered_on).days, missing=missing))
    return list(groups.values())
