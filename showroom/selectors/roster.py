"""Reads of the reception desk: today's roster, the queue, whom a walk-in may go to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from dealership.models import Store, User
from showroom.enums import DutyState
from showroom.models import DutyShift

# Seed 001: the first three waiting consultants are called 第一/第二/第三接待人.
QUEUE_LABELS = (_("First receptionist"), _("Second receptionist"), _("Third receptionist"))


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
