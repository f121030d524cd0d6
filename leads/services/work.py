"""Working a lead: follow-ups, grade, funnel steps, lost approval, the pool."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.models import Customer, User
from dealership.validators import ensure_within
from leads.enums import (
    EventKind,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    TaskKind,
    TouchKind,
    TouchOutcome,
)
from leads.models import Lead, LostRequest, Task, Touch
from leads.permissions import (
    can_claim_from_pool,
    can_decide_lost,
    can_invite_lead,
    can_mark_test_driven,
    can_mark_visited,
    can_start_negotiation,
    can_win_lead,
    can_work_lead,
)
from leads.selectors.policy import policy_for
from leads.services.events import event, next_due, notify
from leads.services.routing import routing_loads_refresh

# A follow-up is agreed for the coming year at most; later than that it is no plan.
FOLLOW_UP_HORIZON = dt.timedelta(days=365)


def _locked(lead: Lead) -> Lead:
    return (Lead.objects.select_for_update(of=("self",))
            .select_related("store", "owner").get(pk=lead.pk))


def _set_status(lead: Lead, status: str, *, actor: User | None, note: str = "") -> None:
    previous = lead.status
    lead.status = status
    event(lead, EventKind.STATUS, actor=actor, note=note, **{"from": previous, "to": status})


def lead_log_touch(
    *, lead: Lead, actor: User, kind: str, outcome: str, note: str = "",
    next_follow_up_on: dt.date | None = None,
) -> Touch:
    """Record a follow-up. A new lead becomes contacted; a dormant one wakes up. The next
    due date follows the grade's cadence (or the agreed date if sooner). Side effects:
    touch row, timeline rows, open reactivation task closed."""
    if not can_work_lead(actor, lead):
        raise PermissionDenied
    if kind not in TouchKind.values or outcome not in TouchOutcome.values:
        raise ValidationError(_("Choose how you reached the customer and the outcome."))
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(lead)
        if not locked.is_open:
            raise ValidationError(_("This lead is closed; it takes no more follow-ups."))
        # "Today" is the store's day, whatever time zone this process runs in.
        today = locked.store.today()
        if next_follow_up_on and next_follow_up_on < today:
            raise ValidationError({"next_follow_up_on": _("The next follow-up cannot be in "
                                                          "the past.")})
        ensure_within(next_follow_up_on, latest=today + FOLLOW_UP_HORIZON,
                      field="next_follow_up_on")
        touch = Touch.objects.create(store_id=locked.store_id, lead=locked, kind=kind,
                                     outcome=outcome, note=note,
                                     next_follow_up_on=next_follow_up_on, by=actor,
                                     created_at=now)
        fields = ["first_touch_at", "last_touch_at", "next_follow_up_on", "follow_up_due_at",
                  "overdue_notified_at", "status", "dormant_at"]
        locked.first_touch_at = locked.first_touch_at or now
        locked.last_touch_at = now
        locked.next_follow_up_on = next_follow_up_on
        locked.follow_up_due_at = next_due(locked, policy_for(locked.store), since=now)
        locked.overdue_notified_at = None
        if locked.status in (LeadStatus.NEW, LeadStatus.DORMANT):
            _set_status(locked, LeadStatus.CONTACTED, actor=actor)
            locked.dormant_at = None
        locked.save(update_fields=fields)
        event(locked, EventKind.TOUCH, actor=actor, note=note, touch=touch.pk, how=kind,
              outcome=outcome)
        Task.objects.filter(lead=locked, kind=TaskKind.REACTIVATE,
                            done_at__isnull=True).update(done_at=now)
    return touch


def lead_override_grade(*, lead: Lead, actor: User, grade: str, reason: str) -> Lead:
    """Set the grade by hand, with a reason kept on the timeline."""
    if not can_work_lead(actor, lead):
        raise PermissionDenied
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose A, B or C.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the grade changes.")})
    with transaction.atomic():
        locked = _locked(lead)
        if locked.grade == grade:
            return locked
        previous, locked.grade, locked.grade_overridden = locked.grade, grade, True
        since = locked.last_touch_at or locked.created_at
        if locked.first_touch_at or not locked.is_online:
            locked.follow_up_due_at = next_due(locked, policy_for(locked.store), since=since)
        locked.save(update_fields=["grade", "grade_overridden", "follow_up_due_at"])
        event(locked, EventKind.GRADE, actor=actor, note=reason, **{"from": previous,
                                                                     "to": grade})
    return locked


def _advance(lead: Lead, *, actor: User, status: str) -> Lead:
    """Lock the lead, ask it whether it may move forward to `status` (a later stage may
    have moved it on meanwhile), record the step. A dormant lead wakes up."""
    with transaction.atomic():
        locked = _locked(lead)
        if not locked.can_advance_to(status):
            raise ValidationError(_("A %(from)s lead cannot become %(to)s.") % {
                "from": locked.get_status_display(), "to": LeadStatus(status).label},
                code="transition")
        _set_status(locked, status, actor=actor)
        locked.dormant_at = None
        locked.save(update_fields=["status", "dormant_at"])
    return locked


def lead_invite(*, lead: Lead, actor: User) -> Lead:
    """The customer agreed to come in (the showroom booked an invitation). Side effects:
    the lead's status and a status row on its timeline."""
    if not can_invite_lead(actor, lead):
        raise PermissionDenied
    return _advance(lead, actor=actor, status=LeadStatus.INVITED)


def lead_mark_visited(*, lead: Lead, actor: User) -> Lead:
    """The customer came to the showroom (registered at the desk, or a visit closed).
    Side effects: the lead's status and a status row on its timeline."""
    if not can_mark_visited(actor, lead):
        raise PermissionDenied
    return _advance(lead, actor=actor, status=LeadStatus.VISITED)


def lead_mark_test_driven(*, lead: Lead, actor: User) -> Lead:
    """The customer finished a test drive. Side effects: the lead's status and a status
    row on its timeline."""
    if not can_mark_test_driven(actor, lead):
        raise PermissionDenied
    return _advance(lead, actor=actor, status=LeadStatus.TEST_DRIVEN)


def lead_start_negotiation(*, lead: Lead, actor: User) -> Lead:
    """The customer has a quote: price talks started. Side effects: the lead's status and
    a status row on its timeline."""
    if not can_start_negotiation(actor, lead):
        raise PermissionDenied
    return _advance(lead, actor=actor, status=LeadStatus.NEGOTIATING)


def lead_win(*, lead: Lead, actor: User) -> Lead:
    """The customer signed (called by the contracts stage). Side effects: the lead closes
    as won with a status row on its timeline; a lost request still waiting is returned; the
    owner's open-lead load."""
    if not can_win_lead(actor, lead):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(lead)
        if not locked.is_open:
            raise ValidationError(_("This lead is already closed."))
        _set_status(locked, LeadStatus.WON, actor=actor)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        # A "lost" request still waiting makes no sense for a won lead.
        LostRequest.objects.filter(lead=locked, status=LostRequestStatus.PENDING).update(
            status=LostRequestStatus.RETURNED, decided_at=locked.closed_at,
            decision_note=_("The lead was won meanwhile."))
        routing_loads_refresh(owner_ids=(locked.owner_id,))
    return locked


def lead_request_lost(*, lead: Lead, actor: User, reason: str, note: str = "") -> LostRequest:
    """Ask a supervisor to close the lead as lost (战败). The lead stays open meanwhile."""
    if not can_work_lead(actor, lead):
        raise PermissionDenied
    if reason not in LostReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if reason == LostReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Describe the reason when you choose “other”.")})
    with transaction.atomic():
        locked = _locked(lead)
        if not locked.is_open:
            raise ValidationError(_("This lead is already closed."))
        try:
            with transaction.atomic():
                request = LostRequest.objects.create(store_id=locked.store_id, lead=locked,
                                                     reason=reason, note=note,
                                                     requested_by=actor)
        except IntegrityError:
            raise ValidationError(_("A lost request for this lead is already waiting for "
                                    "approval.")) from None
        event(locked, EventKind.LOST_REQUESTED, actor=actor, note=note, reason=reason)
        supervisor = locked.owner.team.supervisor if (
            locked.owner and locked.owner.team_id) else None
        notify(locked, supervisor, EventKind.LOST_REQUESTED)
    return request


def _decide(request: LostRequest, *, actor: User, approve: bool, note: str) -> LostRequest:
    lead = request.lead
    if not can_decide_lost(actor, lead) or request.requested_by_id == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked_lead = _locked(lead)
        locked = LostRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != LostRequestStatus.PENDING:
            raise ValidationError(_("This request has already been decided."))
        if approve and not locked_lead.is_open:
            raise ValidationError(_("This lead is already closed."))
        locked.status = LostRequestStatus.APPROVED if approve else LostRequestStatus.RETURNED
        locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            _set_status(locked_lead, LeadStatus.LOST, actor=actor, note=note)
            locked_lead.lost_reason = locked.reason
            locked_lead.closed_at = locked.decided_at
            locked_lead.save(update_fields=["status", "lost_reason", "closed_at"])
            event(locked_lead, EventKind.LOST_APPROVED, actor=actor, note=note,
                  reason=locked.reason)
            routing_loads_refresh(owner_ids=(locked_lead.owner_id,))
        else:
            if not note.strip():
                raise ValidationError({"note": _("Tell the consultant why it goes back.")})
            event(locked_lead, EventKind.LOST_RETURNED, actor=actor, note=note)
        notify(locked_lead, locked.requested_by,
               EventKind.LOST_APPROVED if approve else EventKind.LOST_RETURNED)
    return locked


def lead_approve_lost(*, request: LostRequest, actor: User, note: str = "") -> LostRequest:
    return _decide(request, actor=actor, approve=True, note=note)


def lead_return_lost(*, request: LostRequest, actor: User, note: str) -> LostRequest:
    return _decide(request, actor=actor, approve=False, note=note)


def lead_claim(*, lead: Lead, actor: User) -> Lead:
    """A consultant takes a lead from the store's pool. Two at once: one wins. Side
    effects: the customer's owner, a timeline row, the consultant's open-lead load."""
    with transaction.atomic():
        locked = _locked(lead)
        if not can_claim_from_pool(actor, locked):
            raise ValidationError(_("Someone else has already taken this lead."))
        now = timezone.now()
        locked.owner, locked.assigned_at, locked.pooled_at = actor, now, None
        locked.follow_up_due_at = next_due(locked, policy_for(locked.store), since=now)
        locked.save(update_fields=["owner", "assigned_at", "pooled_at", "follow_up_due_at"])
        Customer.objects.filter(pk=locked.customer_id).update(owner=actor)
        event(locked, EventKind.CLAIMED, actor=actor, to_owner=actor.pk)
        routing_loads_refresh(owner_ids=(actor.pk,))
    return locked
