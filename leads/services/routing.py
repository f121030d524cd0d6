"""Who gets a lead: A → senior, C → junior, B → anyone; round robin among those on duty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
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


def _ensure_routing_rows(store: Store) -> None:
    missing = User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True,
                                  routing__isnull=True)
    ConsultantRouting.objects.bulk_create(
        [ConsultantRouting(user=user, store=store) for user in missing],
        ignore_conflicts=True,
    )


def lead_route(*, store: Store, grade: str, exclude: tuple[int, ...] = ()) -> User | None:
    """Pick the next consultant for a new lead, or None when nobody is on duty.

    Round robin: whoever got a lead least recently goes first; ties go to the smaller
    open-lead load. The routing rows are locked, so two leads arriving at once go to two
    different consultants. Must run inside the caller's transaction.
    """
    _ensure_routing_rows(store)
    on_duty = ConsultantRouting.objects.filter(
        store=store, on_duty=True, user__is_active=True, user__role=Role.CONSULTANT,
    ).exclude(user_id__in=exclude)
    # When the showroom keeps a roster today, only those it has available get new leads.
    # (A store that keeps no roster routes by the on-duty switches alone.)
    today = RoutingAvailability.objects.filter(store=store, day=store.today())
    if today.exists():
        on_duty = on_duty.filter(user_id__in=today.filter(available=True).values("user_id"))
    wanted = SENIORITY_FOR_GRADE.get(grade)
    candidates = on_duty.filter(user__seniority=wanted) if wanted else on_duty
    if wanted and not candidates.exists():
        candidates = on_duty  # nobody of that seniority on duty: anyone on duty
    locked = list(candidates.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not locked:
        return None
    chosen = (
        ConsultantRouting.objects.filter(pk__in=locked)
        .annotate(load=Count("user__leads", filter=Q(user__leads__status__in=OPEN_STATUSES)))
        .order_by(F("last_assigned_at").asc(nulls_first=True), "load", "user_id")
        .first()
    )
    ConsultantRouting.objects.filter(pk=chosen.pk).update(last_assigned_at=timezone.now())
    return User.objects.get(pk=chosen.user_id)


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
    row, notification to the new owner, the lead's open tasks handed over too."""
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
    return locked


def book_reassign(*, from_user: User, to_user: User, actor: User) -> int:
    """A consultant leaves: every open lead (with its open tasks) and every customer of
    theirs goes to `to_user` in one set-based step, each assignment on the timeline.
    Returns the number of leads."""
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
        ids = list(leads.values_list("pk", flat=True))
        LeadEvent.objects.bulk_create([
            LeadEvent(lead_id=pk, kind=EventKind.ASSIGNED, actor=actor, created_at=now,
                      note=_("Book of a leaving consultant"),
                      data={"from_owner": from_user.pk, "to_owner": to_user.pk})
            for pk in ids
        ], batch_size=1000)
        Lead.objects.filter(pk__in=ids).update(owner=to_user, assigned_at=now)
        Task.objects.filter(lead_id__in=ids, done_at__isnull=True).update(assignee=to_user)
        Customer.objects.filter(owner=from_user).update(owner=to_user)
        if ids:
            Notification.objects.create(store_id=to_user.store_id, user=to_user,
                                        lead_id=ids[0], kind=EventKind.ASSIGNED)
    return len(ids)
