"""Reads of the showroom floor: roster and queue, visits, objections and talk tracks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.models import Series, Store, Trim, User
from showroom.enums import DutyState, ObjectionType
from showroom.models import DutyShift, Objection, TalkTrack, Visit
from showroom.permissions import is_visit_in_scope

# Seed 001: the first three waiting consultants are called 第一/第二/第三接待人.
QUEUE_LABELS = (_("First receptionist"), _("Second receptionist"), _("Third receptionist"))


# --- Roster and queue -------------------------------------------------------------------
def roster_for(*, store: Store, day: dt.date) -> QuerySet[DutyShift]:
    return (DutyShift.objects.filter(store=store, date=day)
            .select_related("consultant").order_by("position", "id"))


def roster_candidates(*, store: Store) -> QuerySet[User]:
    """The store's active consultants: the roster form's checkboxes."""
    return User.objects.for_store(store).active().consultants().order_by("name", "username")


@dataclass
class QueueSlot:
    shift: DutyShift
    label: str = ""


@dataclass
class Queue:
    """Today's floor: who is next, who is with a customer, who is away or off."""

    waiting: list[QueueSlot] = field(default_factory=list)
    with_customer: list[DutyShift] = field(default_factory=list)
    away: list[DutyShift] = field(default_factory=list)
    off: list[DutyShift] = field(default_factory=list)

    @property
    def next_up(self) -> DutyShift | None:
        return self.waiting[0].shift if self.waiting else None

    @property
    def is_empty(self) -> bool:
        return not (self.waiting or self.with_customer or self.away or self.off)


def queue_for(*, store: Store, day: dt.date) -> Queue:
    """One query. Waiting consultants in position order, the first three labelled."""
    queue = Queue()
    for shift in roster_for(store=store, day=day):
        if shift.state == DutyState.AVAILABLE:
            index = len(queue.waiting)
            label = QUEUE_LABELS[index] if index < len(QUEUE_LABELS) else ""
            queue.waiting.append(QueueSlot(shift=shift, label=label))
        elif shift.state == DutyState.WITH_CUSTOMER:
            queue.with_customer.append(shift)
        elif shift.state == DutyState.AWAY:
            queue.away.append(shift)
        else:
            queue.off.append(shift)
    return queue


def shift_get_for_desk(*, user: User, pk: int) -> DutyShift:
    try:
        return DutyShift.objects.select_related("consultant", "store").get(
            pk=pk, store_id=user.store_id)
    except (DutyShift.DoesNotExist, ValueError):
        raise Http404 from None


def walk_in_consultants(*, store: Store, day: dt.date) -> QuerySet[User]:
    """Whom the receptionist may choose: consultants on today's roster and not off."""
    on_duty = DutyShift.objects.filter(store=store, date=day).exclude(state=DutyState.OFF)
    return (User.objects.for_store(store).active().consultants()
            .filter(pk__in=on_duty.values("consultant_id")).order_by("name", "username"))


# --- Visits -----------------------------------------------------------------------------
def visits_of_day(*, store: Store, day: dt.date) -> QuerySet[Visit]:
    """The desk's list: the store's visits that arrived on `day` (store time), newest first."""
    start, end = store.day_bounds(day)
    return (Visit.objects.filter(store=store, arrived_at__gte=start, arrived_at__lt=end)
            .select_related("customer", "consultant").order_by("-arrived_at", "-id"))


def visit_scope_for_user(user: User) -> QuerySet[Visit]:
    visits = Visit.objects.filter(store_id=user.store_id) if user.store_id else Visit.objects.none()
    if user.role == Role.CONSULTANT:
        return visits.filter(consultant=user)
    if user.role == Role.SUPERVISOR:
        return visits.filter(Q(consultant=user) | Q(consultant__team__supervisor=user))
    if user.role == Role.RECEPTIONIST:
        start, end = user.store.day_bounds(user.store.today())
        return visits.filter(arrived_at__gte=start, arrived_at__lt=end)
    if user.role == Role.MANAGER:
        return visits
    return visits.none()


def visit_get_for_user(*, user: User, pk: int) -> Visit:
    """Http404 outside the user's scope (another consultant's visit, another store)."""
    try:
        visit = (visit_scope_for_user(user)
                 .select_related("customer", "consultant__team", "lead", "store",
                                 "registered_by")
                 .prefetch_related("models_presented__brand").get(pk=pk))
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None
    if not is_visit_in_scope(user, visit):  # the same rule, for one loaded row
        raise Http404
    return visit


def visits_open_for_consultant(user: User) -> QuerySet[Visit]:
    """The consultant's customers in the showroom right now ("my day")."""
    return (Visit.objects.filter(store_id=user.store_id, consultant=user,
                                 departed_at__isnull=True)
            .select_related("customer").order_by("arrived_at", "id"))


def presentable_series() -> QuerySet[Series]:
    """Models that can be presented: a series with at least one trim on sale."""
    on_sale = Trim.objects.filter(series=OuterRef("pk"), is_active=True)
    return Series.objects.filter(Exists(on_sale)).select_related("brand").order_by(
        "brand__name", "name")


# --- Objections and talk tracks -----------------------------------------------------------
def objections_for(*, visit: Visit) -> list[Objection]:
    return list(visit.objections.select_related("series__brand").order_by("created_at", "id"))


def talk_tracks_for(*, store: Store, kind: str = "", series_id: int | None = None
                    ) -> QuerySet[TalkTrack]:
    """The store's talk tracks; for a model, those for it and those for every model."""
    tracks = TalkTrack.objects.filter(store=store).select_related("series__brand",
                                                                  "updated_by")
    if kind:
        tracks = tracks.filter(kind=kind)
    if series_id:
        tracks = tracks.filter(Q(series_id=series_id) | Q(series__isnull=True))
    # The tracks for every model first, on SQLite and PostgreSQL alike (they sort NULL
    # differently).
    return tracks.order_by("kind", F("series__name").asc(nulls_first=True), "title")


def talk_track_get(*, store: Store, pk: int) -> TalkTrack:
    try:
        return TalkTrack.objects.get(pk=pk, store=store)
    except (TalkTrack.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass
class ObjectionCounts:
    by_kind: list[tuple[str, int]]
    by_series: list[tuple[str, int]]
    total: int


def objection_counts(*, store: Store, since: dt.datetime | None = None) -> ObjectionCounts:
    """How often each kind of objection came up, and about which model (manager's panel)."""
    objections = Objection.objects.filter(visit__store=store)
    if since is not None:
        objections = objections.filter(created_at__gte=since)
    per_kind = dict(objections.values_list("kind").annotate(n=Count("id")).order_by())
    by_kind = [(label, per_kind.get(value, 0)) for value, label in ObjectionType.choices]
    by_series = [
        (f"{row['series__brand__name']} {row['series__name']}" if row["series__name"]
         else str(_("No model named")), row["n"])
        for row in objections.values("series__brand__name", "series__name")
        .annotate(n=Count("id")).order_by("-n", F("series__name").asc(nulls_last=True))
    ]
    return ObjectionCounts(by_kind=by_kind, by_series=by_series, total=sum(per_kind.values()))


def showroom_day_for_consultant(user: User) -> dict:
    """What "my day" shows of the showroom: customers on the floor now, today's test
    drives and today's expected invitations — three queries whatever the numbers."""
    from showroom.enums import InvitationStatus, TestDriveStatus
    from showroom.selectors_invitations import invitation_scope_for_user
    from showroom.selectors_test_drives import test_drive_scope_for_user

    start, end = user.store.day_bounds(user.store.today())
    drives = (
        test_drive_scope_for_user(user)
        .filter(slot_start__gte=start, slot_start__lt=end,
                status__in=(TestDriveStatus.BOOKED, TestDriveStatus.IN_PROGRESS))
        .select_related("vehicle__trim__series", "customer").order_by("slot_start")
    )
    invitations = (
        invitation_scope_for_user(user)
        .filter(expected_at__gte=start, expected_at__lt=end,
                status=InvitationStatus.SCHEDULED)
        .select_related("lead__customer").order_by("expected_at")
    )
    return {"visits_open": list(visits_open_for_consultant(user)),
            "test_drives_today": list(drives), "invitations_today": list(invitations)}
