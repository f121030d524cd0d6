"""Who gets a lead: A → senior, C → junior, B → anyone; round robin among those on duty.

Each consultant's routing row keeps their open-lead load (`open_leads`): every service that
gives, takes, closes or routes a lead refreshes it for the consultants it touched, in its
own transaction, so routing reads one row per candidate instead of counting their history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import Role, Seniority
from dealership.models import Customer, Store, User
from leads.enums import OPEN_STATUSES, EventKind, Grade
from leads.models import (
    ConsultantRouting,
    Lead,
    LeadEvent,
    Notification,
    RoutingAvailability,
    Task,
)
from leads.permissions import can_reassign_book, can_reassign_lead, can_set_routing_availability
from leads.services.events import event, notify

SENIORITY_FOR_GRADE = {Grade.A: Seniority.SENIOR, Grade.C: Seniority.JUNIOR}


# --- The maintained load ------------------------------------------------------------------
def _open_leads_count() -> Coalesce:
    """The routing row's consultant's open leads, for an UPDATE of routing rows: read from
    the partial index on open leads (store, owner, status) WHERE open."""
    per_owner = (Lead.objects.filter(store_id=OuterRef("store_id"), owner_id=OuterRef("user_id"),
                                     open=True)
                 .order_by().values("owner_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(per_owner, output_field=IntegerField()), Value(0))


def _lock_routing_rows(rows: QuerySet[ConsultantRouting]) -> None:
    # Under READ COMMITTED an UPDATE that waited for another transaction's row lock still
    # counts with the snapshot it started with, missing the leads that transaction gave or
    # took. Locking first (in pk order, so two refreshes never deadlock) makes the UPDATE,
    # a later statement, count what every earlier holder committed.
    if connection.features.has_select_for_update:
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))


def routing_loads_refresh(*, owner_ids: Iterable[int | None]) -> None:
    """Set the open-lead load of these consultants' routing rows to their open leads now.

    Called inside the transaction of every service that gives a lead an owner, takes it
    away or closes it, after the change. Two statements whatever the number of owners: the
    rows locked, then one UPDATE. Owners without a routing row (not consultants, or not
    routed yet) are skipped; their row gets its load when it is created."""
    ids = sorted({pk for pk in owner_ids if pk is not None})
    if not ids:
        return
    rows = ConsultantRouting.objects.filter(user_id__in=ids)
    with transaction.atomic(savepoint=False):
        _lock_routing_rows(rows)
        rows.update(open_leads=_open_leads_count())


def routing_loads_reconcile() -> int:
    """Recompute every routing row's load in one UPDATE (the nightly safety net for a lead
    changed outside the services, e.g. in the admin or by hand in SQL). Returns how many
    rows were wrong; a second run returns 0."""
    rows = ConsultantRouting.objects.all()
    with transaction.atomic():
        _lock_routing_rows(rows)
        count = _open_leads_count()
        return rows.exclude(open_leads=count).update(open_leads=count)


# --- Routing --------------------------------------------------------------------------------
def _ensure_routing_rows(store: Store) -> bool:
    """Routing rows for the store's active consultants that have none (on duty, with their
    current load). True when any was created."""
    missing = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True,
                                       routing__isnull=True).values_list("pk", flat=True))
    if not missing:
        return False
    ConsultantRouting.objects.bulk_create(
        [ConsultantRouting(user_id=pk, store=store) for pk in missing], ignore_conflicts=True)
    routing_loads_refresh(owner_ids=missing)
    return True


def _lock_candidates(store: Store, exclude: tuple[int, ...]) -> list[ConsultantRouting]:
    """Every routing row that may take a lead now, locked, with its consultant, in one
    statement; each row says whether the store has consultants without a routing row."""
    roster = RoutingAvailability.objects.filter(store=store, day=store.today())
    unrouted = User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True,
                                   routing__isnull=True)
    return list(
        ConsultantRouting.objects.filter(
            store=store, on_duty=True, user__is_active=True, user__role=Role.CONSULTANT)
        .exclude(user_id__in=exclude)
        # When the showroom keeps a roster today, only those it has available get new leads.
        # (A store that keeps no roster routes by the on-duty switches alone.)
        .filter(~Exists(roster) | Exists(roster.filter(user_id=OuterRef("user_id"),
                                                       available=True)))
        .annotate(unrouted=Exists(unrouted))
        .select_related("user")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def _turn(row: ConsultantRouting) -> tuple:
    """Whoever got a lead least recently (never first), then the smaller open load."""
    last = row.last_assigned_at
    return (last is not None, last or dt.datetime.min, row.open_leads, row.user_id)


def lead_route(*, store: Store, grade: str, exclude: tuple[int, ...] = ()) -> User | None:
    """Pick the next consultant for a new lead, or None when nobody is on duty.

    Round robin: whoever got a lead least recently goes first; ties go to the smaller
    open-lead load. The candidates' routing rows are locked (and read again after any wait,
    so their turns are current), so two leads arriving at once go to two different
    consultants. Must run inside the caller's transaction, which gives the chosen
    consultant the lead: their load is counted with it (their open leads + 1), so the
    caller need not refresh it. Two statements (four when consultants have no routing row
    yet).
    """
    rows = _lock_candidates(store, exclude)
    if (not rows or rows[0].unrouted) and _ensure_routing_rows(store):
        rows = _lock_candidates(store, exclude)
    if not rows:
        return None
    wanted = SENIORITY_FOR_GRADE.get(grade)
    # Nobody of that seniority on duty: anyone on duty.
    pool = [row for row in rows if row.user.seniority == wanted] if wanted else rows
    chosen = min(pool or rows, key=_turn)
    ConsultantRouting.objects.filter(pk=chosen.pk).update(
        last_assigned_at=timezone.now(), open_leads=_open_leads_count() + 1)
    return chosen.user


def routing_availability_set(*, store: Store, day: dt.date, availability: Mapping[User, bool],
                             actor: User) -> None:
    """Record who takes new leads on `day`, as the showroom's roster says (called when the
    roster is saved or a consultant's duty state changes). Consultants not named keep
    their row. Side effects: the day's availability rows created or updated, in one
    statement, so two desks saving at once cannot collide."""
    if not can_set_routing_availability(actor, store):
        raise PermissionDenied
    if any(user.store_id != store.pk for user, available in availability.items() if available):
        raise ValidationError(_("Only consultants of this store take its leads."))
    RoutingAvailability.objects.bulk_create(
        [RoutingAvailability(store=store, day=day, user=user, available=available)
         for user, available in availability.items()],
        update_conflicts=True, unique_fields=["store", "day", "user"],
        update_fields=["available"],
    )


def lead_assign(*, lead: Lead, to: User, actor: User | None, reason: str = "") -> Lead:
    """Give an open lead (and its customer) to another consultant. Side effects: timeline
    row, notification to the new owner, the lead's open tasks handed over too, both
    consultants' open-lead loads."""
    if actor is not None and not can_reassign_lead(actor, lead):
        raise PermissionDenied
    if to.role != Role.CONSULTANT or not to.is_active or to.store_id != lead.store_id:
        raise ValidationError(_("Leads go to active consultants of the same store."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if not locked.is_open:
            raise ValidationError(_("This lead is already closed."))
        previous = locked.owner_id
        if previous == to.pk:
            return locked
        now = timezone.now()
        locked.owner, locked.assigned_at, locked.pooled_at = to, now, None
        locked.save(update_fields=["owner", "assigned_at", "pooled_at"])
        Customer.objects.filter(pk=locked.customer_id).update(owner=to)
        # A task of the lead (e.g. reactivate it) is the new owner's to do now.
        Task.objects.filter(lead=locked, done_at__isnull=True).update(assignee=to)
        event(locked, EventKind.ASSIGNED, actor=actor, note=reason,
              from_owner=previous, to_owner=to.pk)
        notify(locked, to, EventKind.ASSIGNED)
        routing_loads_refresh(owner_ids=(previous, to.pk))
    return locked


def book_reassign(*, from_user: User, to_user: User, actor: User) -> int:
    """A consultant leaves: every open lead (with its open tasks) and every customer of
    theirs goes to `to_user` in one set-based step, each assignment on the timeline, and
    both consultants' open-lead loads refreshed. Returns the number of leads."""
    if not can_reassign_book(actor) or (
        actor.role != Role.ADMIN and actor.store_id != from_user.store_id
    ):
        raise PermissionDenied
    if (to_user.role != Role.CONSULTANT or not to_user.is_active
            or to_user.store_id != from_user.store_id or to_user.pk == from_user.pk):
        raise ValidationError(_("Choose another active consultant of the same store."))
    now = timezone.now()
    with transaction.atomic():
        leads = Lead.objects.select_for_update().filter(owner=from_user, status__in=OPEN_STATUSES)
        rows = list(leads.values_list("pk", "store_id"))
        ids = [pk for pk, _store_id in rows]
        LeadEvent.objects.bulk_create([
            LeadEvent(store_id=store_id, lead_id=pk, kind=EventKind.ASSIGNED, actor=actor,
                      created_at=now, note=_("Book of a leaving consultant"),
                      data={"from_owner": from_user.pk, "to_owner": to_user.pk})
            for pk, store_id in rows
        ], batch_size=1000)
        Lead.objects.filter(pk__in=ids).update(owner=to_user, assigned_at=now)
        Task.objects.filter(lead_id__in=ids, done_at__isnull=True).update(assignee=to_user)
        Customer.objects.filter(owner=from_user).update(owner=to_user)
        if ids:
            Notification.objects.create(store_id=to_user.store_id, user=to_user,
                                        lead_id=ids[0], kind=EventKind.ASSIGNED)
            routing_loads_refresh(owner_ids=(from_user.pk, to_user.pk))
    return len(ids)
