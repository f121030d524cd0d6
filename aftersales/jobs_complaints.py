"""After-sales periodic jobs: complaints (set-based, idempotent; thin Celery tasks at the end).

`escalate_complaints` runs every 5 minutes. For each clock (response 2 h, proposal 24 h,
resolution 48 h) of the open complaints' current round:

1. a clock still running past its due time is a breach: one ComplaintBreach row at level
   SUPERVISOR (complaint, clock, round = reopened_count), inserted for all such complaints
   at once with `bulk_create(ignore_conflicts=True)`; the unique constraint makes a second
   run, or a second worker at the same moment, insert nothing;
2. a breach that persists for another full clock length (2 h / 24 h / 48 h after the due
   time) is escalated again, at level MANAGER, the same way.

Only the rows this run inserted (those stamped with its `now`) act: the complaint's
escalation level raised in one UPDATE, an ESCALATED event each, and a notification to the
customer's consultant's supervisor (else the store's supervisors) or to the store's
managers. A reopening starts a new round, so its clocks can breach and escalate again.
Clock hours, not store days: no store-local date is involved.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersales.enums import (
    OPEN_COMPLAINT_STATUSES,
    ComplaintClock,
    ComplaintEventKind,
    EscalationLevel,
    LeadEventKind,
)
from aftersales.models import Complaint, ComplaintBreach, ComplaintEvent
from aftersales.services.complaints import CLOCK_FIELDS, CLOCK_LENGTHS
from dealership.enums import Role
from dealership.models import User
from leads.models import Lead
from leads.services.notifications import notification_send

logger = logging.getLogger(__name__)

# Level → how many clock lengths past the due time it is reached.
LEVEL_AFTER = {EscalationLevel.SUPERVISOR: 0, EscalationLevel.MANAGER: 1}


def _candidates(*, clock: str, level: int, now: dt.datetime) -> list[ComplaintBreach]:
    due_field, done_field = CLOCK_FIELDS[clock]
    threshold = now - CLOCK_LENGTHS[clock] * LEVEL_AFTER[level]
    recorded = ComplaintBreach.objects.filter(
        store=OuterRef("store"), complaint=OuterRef("pk"), clock=clock,
        round=OuterRef("reopened_count"), level=level)
    rows = (Complaint.objects
            .filter(status__in=OPEN_COMPLAINT_STATUSES, **{f"{done_field}__isnull": True,
                                                          f"{due_field}__lt": threshold})
            .exclude(Exists(recorded))
            .values_list("store_id", "pk", "reopened_count", due_field))
    return [ComplaintBreach(store_id=store, complaint_id=pk, clock=clock, round=round_,
                            level=level, due_at=due_at, created_at=now)
            for store, pk, round_, due_at in rows]


def _recipients(breaches: list[ComplaintBreach], level: int) -> dict[int, list[User]]:
    """Whom to tell, per complaint: the consultant's supervisor (else the store's
    supervisors) for the first level, the store's managers for the second."""
    stores = {b.complaint.store_id for b in breaches}
    role = Role.SUPERVISOR if level == EscalationLevel.SUPERVISOR else Role.MANAGER
    by_store: dict[int, list[User]] = defaultdict(list)
    for user in (User.objects.filter(store_id__in=stores, role=role, is_active=True)
                 .order_by("pk")):
        by_store[user.store_id].append(user)
    recipients: dict[int, list[User]] = {}
    for breach in breaches:
        complaint = breach.complaint
        owner = complaint.customer.owner
        team_supervisor = (owner.team.supervisor if owner is not None and owner.team_id
                           and owner.team.supervisor_id else None)
        if (level == EscalationLevel.SUPERVISOR and team_supervisor is not None
                and team_supervisor.is_active):
            recipients[complaint.pk] = [team_supervisor]
        else:
            recipients[complaint.pk] = by_store[complaint.store_id]
    return recipients


def _latest_leads(customer_ids: set[int]) -> dict[int, Lead]:
    latest: dict[int, Lead] = {}
    for lead in (Lead.objects.filter(customer_id__in=customer_ids)
                 .order_by("customer_id", "-created_at", "-id")):
        latest.setdefault(lead.customer_id, lead)
    return latest


def _act_on_new(*, level: int, now: dt.datetime, keys: list[tuple]) -> int:
    """Raise the level, write the events and notify for the breaches this run inserted."""
    new = list(ComplaintBreach.objects
               .filter(level=level, created_at=now,
                       complaint_id__in={complaint_id for complaint_id, _c, _r in keys})
               .select_related("complaint__store", "complaint__customer__owner__team__supervisor")
               .order_by("complaint_id", "clock"))
    keys_set = set(keys)
    new = [b for b in new if (b.complaint_id, b.clock, b.round) in keys_set]
    if not new:
        return 0
    Complaint.objects.filter(pk__in={b.complaint_id for b in new},
                             escalation_level__lt=level).update(escalation_level=level)
    with override(settings.LANGUAGE_CODE):
        # Stored for staff to read: the site's language (a job has no request language).
        events = [ComplaintEvent(
            store_id=b.store_id, complaint_id=b.complaint_id, kind=ComplaintEventKind.ESCALATED,
            created_at=now,
            note=_("%(clock)s overdue; escalated to: %(level)s")
            % {"clock": ComplaintClock(b.clock).label,
               "level": EscalationLevel(level).label},
            data={"clock": b.clock, "level": level, "round": b.round,
                  "due_at": b.due_at.isoformat()}) for b in new]
    ComplaintEvent.objects.bulk_create(events)
    recipients = _recipients(new, level)
    leads = _latest_leads({b.complaint.customer_id for b in new})
    told: set[tuple[int, int]] = set()
    for breach in new:
        complaint = breach.complaint
        for user in recipients[complaint.pk]:
            # Two clocks breached at once: one notification per complaint and person.
            if (complaint.pk, user.pk) in told:
                continue
            told.add((complaint.pk, user.pk))
            notification_send(store=complaint.store, user=user,
                              kind=LeadEventKind.COMPLAINT_ESCALATED,
                              lead=leads.get(complaint.customer_id))
    return len(new)


def escalate_complaints(*, now: dt.datetime) -> int:
    """Record and escalate the breached clocks; returns how many breaches were new."""
    created = 0
    for level in (EscalationLevel.SUPERVISOR, EscalationLevel.MANAGER):
        with transaction.atomic():
            rows = [row for clock in CLOCK_FIELDS
                    for row in _candidates(clock=clock, level=level, now=now)]
            if not rows:
                continue
            ComplaintBreach.objects.bulk_create(rows, ignore_conflicts=True)
            created += _act_on_new(level=level, now=now, keys=[
                (row.complaint_id, row.clock, row.round) for row in rows])
    if created:
        logger.info("complaints: %s clock breach(es) escalated", created)
    return created


@shared_task(name="aftersales.escalate_complaints", time_limit=240, soft_time_limit=200)
def escalate_complaints_task() -> int:
    """Escalate the complaints whose clocks ran out (every 5 minutes)."""
    return escalate_complaints(now=timezone.now())
