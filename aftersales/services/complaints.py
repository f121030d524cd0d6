"""Complaints (seed 002 投诉处理): intake, the transitions of one complaint, its clocks.

The three clocks are counted in clock hours (not the store's opening hours: a customer
who complains at 21:00 expects an answer by 23:00) from `received_at`, or from the
latest reopening: first response 2 h, initial proposal 24 h, final resolution 48 h.
A later step stops the earlier clocks too (a proposal is also a response; a resolution
is also a proposal).

Each transition locks the complaint, refuses when it is no longer in a state that allows
it (code CONFLICT: someone else acted first, 409 in views), writes a ComplaintEvent and
an audit row. Views never assign a status.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.enums import (
    OPEN_COMPLAINT_STATUSES,
    ComplaintClock,
    ComplaintEventKind,
    ComplaintStatus,
    LeadEventKind,
)
from aftersales.models import Complaint, ComplaintEvent
from aftersales.permissions import COMPLAINT_WORK_ROLES, can_work_complaint, can_work_complaints
from contracts.models import Contract
from dealership.enums import AuditAction
from dealership.models import Customer, Store, User
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from leads.models import Lead
from leads.services.events import event as lead_event
from leads.services.notifications import notification_send

# The refusals that mean "someone else acted first" (409 in views), not input to fix.
CONFLICT = "conflict"

# Seed 002: the clocks' lengths, in clock hours from the start of the round.
CLOCK_LENGTHS: dict[str, dt.timedelta] = {
    ComplaintClock.RESPONSE: dt.timedelta(hours=2),
    ComplaintClock.PROPOSAL: dt.timedelta(hours=24),
    ComplaintClock.RESOLUTION: dt.timedelta(hours=48),
}
# Each clock's (due field, stopped-at field) on Complaint.
CLOCK_FIELDS: dict[str, tuple[str, str]] = {
    ComplaintClock.RESPONSE: ("response_due_at", "responded_at"),
    ComplaintClock.PROPOSAL: ("proposal_due_at", "proposed_at"),
    ComplaintClock.RESOLUTION: ("resolution_due_at", "resolved_at"),
}
# How far back a complaint received by phone or in person may be recorded.
RECEIVED_WITHIN = dt.timedelta(days=7)
NUMBER_ATTEMPTS = 5


# --- Who may ---------------------------------------------------------------------------------
def _require_worker(actor: User, complaint: Complaint) -> None:
    if not can_work_complaint(actor, complaint):
        raise PermissionDenied


# --- Helpers ---------------------------------------------------------------------------------
def complaint_dues(start: dt.datetime) -> dict[str, dt.datetime]:
    """The three due times of a round starting at `start` (clock hours)."""
    return {due: start + CLOCK_LENGTHS[clock] for clock, (due, _done) in CLOCK_FIELDS.items()}


def complaint_number_next(*, store, year: int) -> str:
    """The store's next complaint number of the year, e.g. DEMO-TS2026-0007. Run inside
    `complaint_create`, which holds the store's row lock; the unique number decides too."""
    prefix = f"{store.code}-TS{year}-"
    last = (Complaint.objects.filter(store=store, number__startswith=prefix)
            .order_by("-number").values_list("number", flat=True).first())
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def latest_lead_of(customer: Customer) -> Lead | None:
    return Lead.objects.filter(customer=customer).order_by("-created_at", "-id").first()


def _locked(complaint: Complaint) -> Complaint:
    return (Complaint.objects.select_for_update(of=("self",))
            .select_related("store", "customer__owner", "handler").get(pk=complaint.pk))


def _refuse_unless(complaint: Complaint, *statuses: str) -> None:
    if complaint.status not in statuses:
        raise ValidationError(
            _("This complaint is now “%(status)s”; reload the page to see what changed.")
            % {"status": complaint.get_status_display()}, code=CONFLICT)


def _required(errors: dict, field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [message]
    return value


def _event(complaint: Complaint, kind: str, *, actor: User | None, note: str = "",
           at: dt.datetime | None = None, **data) -> ComplaintEvent:
    return ComplaintEvent.objects.create(store_id=complaint.store_id, complaint=complaint,
                                         kind=kind, actor=actor, note=note, data=data,
                                         created_at=at or timezone.now())


def _changes(before: dict, complaint: Complaint) -> dict:
    def shown(value):
        return value.isoformat() if isinstance(value, dt.datetime) else value

    return {name: [shown(old), shown(getattr(complaint, name))] for name, old in before.items()
            if old != getattr(complaint, name)}


def _save(complaint: Complaint, *, actor: User, before: dict, reason: str = "") -> None:
    complaint.save(update_fields=[*before, "updated_at"])
    audit_log(actor=actor, instance=complaint, action=AuditAction.UPDATE,
              changes=_changes(before, complaint), reason=reason)


def _snapshot(complaint: Complaint, *names: str) -> dict:
    return {name: getattr(complaint, name) for name in names}


# --- Intake ----------------------------------------------------------------------------------
def complaint_create(*, actor: User, customer: Customer, channel: str, category: str,
                     severity: str, department: str, summary: str, description: str,
                     received_at: dt.datetime, contract: Contract | None = None) -> Complaint:
    """Record a complaint received from any channel, handled by `actor` from now on.

    The clocks start at `received_at` (within the last 7 days, not in the future), in
    clock hours: first response due +2 h, proposal +24 h, resolution +48 h. Side effects:
    the complaint's number (per store and year), a CREATED event, the audit row, a
    "complaint" row on the customer's latest lead's timeline, and the customer's
    consultant notified (unless they recorded it)."""
    if not can_work_complaints(actor) or customer.store_id != actor.store_id:
        raise PermissionDenied
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    summary = _required(errors, "summary", summary, _("Say in a line what it is about."))
    description = _required(errors, "description", description,
                            _("Write down what the customer says."))
    try:
        ensure_within(received_at, earliest=now - RECEIVED_WITHIN, latest=now,
                      field="received_at")
    except ValidationError as error:
        errors.update(error.message_dict)
    if contract is not None and contract.customer_id != customer.pk:
        errors["contract"] = [_("This contract is not the customer's.")]
    if errors:
        raise ValidationError(errors)
    year = timezone.localtime(received_at, customer.store.tzinfo).year
    fields = {"store_id": customer.store_id, "customer": customer, "contract": contract,
              "channel": channel, "category": category, "severity": severity,
              "department": department, "summary": summary, "description": description,
              "received_at": received_at, "clock_started_at": received_at,
              "handler": actor, "created_by": actor, **complaint_dues(received_at)}
    with transaction.atomic():
        # Intakes of one store take their numbers one after the other (gapless): the
        # store's row is the lock. NO KEY: rows pointing at the store may still be added.
        list(Store.objects.select_for_update(no_key=True).filter(pk=customer.store_id)
             .values_list("pk", flat=True))
        for attempt in range(NUMBER_ATTEMPTS):
            number = complaint_number_next(store=customer.store, year=year)
            try:
                # The savepoint keeps the transaction usable when the number was just taken.
                with transaction.atomic():
                    complaint = Complaint(number=number, **fields)
                    complaint.full_clean(exclude=["store", "number"])
                    complaint.save()
                break
            except IntegrityError:
                if attempt == NUMBER_ATTEMPTS - 1:
                    raise
        _event(complaint, ComplaintEventKind.CREATED, actor=actor, note=summary,
               at=now, channel=channel)
        audit_log(actor=actor, instance=complaint, action=AuditAction.CREATE,
                  changes={"number": [None, complaint.number],
                           "customer": [None, str(customer.pk)],
                           "category": [None, category], "severity": [None, severity],
                           "department": [None, department],
                           "received_at": [None, received_at.isoformat()]})
        lead = latest_lead_of(customer)
        if lead is not None:
            lead_event(lead, LeadEventKind.COMPLAINT, actor=actor,
                       note=_("Complaint %(number)s: %(summary)s")
                       % {"number": complaint.number, "summary": summary},
                       complaint=complaint.pk)
        if customer.owner_id and customer.owner_id != actor.pk:
            notification_send(store=customer.store, user=customer.owner,
                              kind=LeadEventKind.COMPLAINT, lead=lead)
    return complaint


# --- Transitions -----------------------------------------------------------------------------
def complaint_respond(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    """open → responded: the first response given to the customer (stops the 2 h clock).
    Side effects: RESPONDED event, audit row."""
    _require_worker(actor, complaint)
    errors: dict = {}
    note = _required(errors, "note", note, _("Write what you told the customer."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, ComplaintStatus.OPEN)
        before = _snapshot(locked, "status", "responded_at", "response_note")
        now = timezone.now()
        locked.status, locked.responded_at, locked.response_note = (
            ComplaintStatus.RESPONDED, now, note)
        _save(locked, actor=actor, before=before)
        _event(locked, ComplaintEventKind.RESPONDED, actor=actor, note=note, at=now)
    return locked


def complaint_propose(*, actor: User, complaint: Complaint, proposal: str) -> Complaint:
    """open / responded → proposed: the initial proposal made to the customer (stops the
    24 h clock, and the 2 h one if no response was recorded: the proposal is one).
    Side effects: PROPOSED event, audit row."""
    _require_worker(actor, complaint)
    errors: dict = {}
    proposal = _required(errors, "proposal", proposal,
                         _("Write the proposal made to the customer."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, ComplaintStatus.OPEN, ComplaintStatus.RESPONDED)
        before = _snapshot(locked, "status", "responded_at", "proposed_at", "proposal")
        now = timezone.now()
        locked.status, locked.proposed_at, locked.proposal = (
            ComplaintStatus.PROPOSED, now, proposal)
        locked.responded_at = locked.responded_at or now
        _save(locked, actor=actor, before=before)
        _event(locked, ComplaintEventKind.PROPOSED, actor=actor, note=proposal, at=now)
    return locked


def complaint_resolve(*, actor: User, complaint: Complaint, resolution: str,
                      cause_analysis: str, corrective_action: str) -> Complaint:
    """open / responded / proposed → resolved: the final resolution, with its cause analysis
    and the corrective action (all three required). Stops every clock still running; the
    complaint then awaits the customer's feedback. Side effects: RESOLVED event, audit."""
    _require_worker(actor, complaint)
    errors: dict = {}
    resolution = _required(errors, "resolution", resolution,
                           _("Write how the complaint was resolved."))
    cause_analysis = _required(errors, "cause_analysis", cause_analysis,
                               _("Write the cause analysis."))
    corrective_action = _required(errors, "corrective_action", corrective_action,
                                  _("Write the corrective action, so it does not happen "
                                    "again."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, ComplaintStatus.OPEN, ComplaintStatus.RESPONDED,
                       ComplaintStatus.PROPOSED)
        before = _snapshot(locked, "status", "responded_at", "proposed_at", "resolved_at",
                           "resolution", "cause_analysis", "corrective_action")
        now = timezone.now()
        locked.status, locked.resolved_at = ComplaintStatus.RESOLVED, now
        locked.responded_at = locked.responded_at or now
        locked.proposed_at = locked.proposed_at or now
        locked.resolution, locked.cause_analysis, locked.corrective_action = (
            resolution, cause_analysis, corrective_action)
        _save(locked, actor=actor, before=before)
        _event(locked, ComplaintEventKind.RESOLVED, actor=actor, note=resolution, at=now)
    return locked


def complaint_close(*, actor: User, complaint: Complaint, customer_feedback: str,
                    customer_satisfied: bool | None) -> Complaint:
    """resolved → closed, only with the customer's feedback recorded (seed 002) and whether
    they are satisfied. Side effects: CLOSED event, audit row."""
    _require_worker(actor, complaint)
    errors: dict = {}
    customer_feedback = _required(errors, "customer_feedback", customer_feedback,
                                  _("Closing requires the customer's feedback."))
    if customer_satisfied is None:
        errors["customer_satisfied"] = [_("Is the customer satisfied?")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, ComplaintStatus.RESOLVED)
        before = _snapshot(locked, "status", "closed_at", "customer_feedback",
                           "customer_satisfied")
        now = timezone.now()
        locked.status, locked.closed_at = ComplaintStatus.CLOSED, now
        locked.customer_feedback, locked.customer_satisfied = (customer_feedback,
                                                               customer_satisfied)
        _save(locked, actor=actor, before=before)
        _event(locked, ComplaintEventKind.CLOSED, actor=actor, note=customer_feedback,
               at=now, satisfied=customer_satisfied)
    return locked


def complaint_reopen(*, actor: User, complaint: Complaint, customer_words: str) -> Complaint:
    """resolved / closed → open, at the customer's request (customer care records it with
    the customer's words): a new round. The clocks start again now, the earlier steps'
    times and the escalation level are cleared (the round's breaches stay recorded),
    `reopened_count` + 1. Side effects: REOPENED event, audit row, the handler notified."""
    _require_worker(actor, complaint)
    errors: dict = {}
    customer_words = _required(errors, "customer_words", customer_words,
                               _("Write what the customer says."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
        now = timezone.now()
        dues = complaint_dues(now)
        before = _snapshot(locked, "status", "clock_started_at", *dues, "responded_at",
                           "proposed_at", "resolved_at", "closed_at", "customer_feedback",
                           "customer_satisfied", "escalation_level", "reopened_count")
        previous = {"feedback": locked.customer_feedback,
                    "satisfied": locked.customer_satisfied, "round": locked.reopened_count}
        locked.status, locked.clock_started_at = ComplaintStatus.OPEN, now
        for name, value in dues.items():
            setattr(locked, name, value)
        locked.responded_at = locked.proposed_at = locked.resolved_at = None
        locked.closed_at = None
        locked.customer_feedback, locked.customer_satisfied = "", None
        locked.escalation_level = 0
        locked.reopened_count += 1
        _save(locked, actor=actor, before=before)
        _event(locked, ComplaintEventKind.REOPENED, actor=actor, note=customer_words,
               at=now, **previous)
        if locked.handler_id and locked.handler_id != actor.pk:
            notification_send(store=locked.store, user=locked.handler,
                              kind=LeadEventKind.COMPLAINT,
                              lead=latest_lead_of(locked.customer))
    return locked


def complaint_handlers(store) -> QuerySet[User]:
    """Who may handle the store's complaints (the choices of "assign" and the filter)."""
    return User.objects.filter(store=store, is_active=True,
                               role__in=COMPLAINT_WORK_ROLES).order_by("name", "pk")


def complaint_assign(*, actor: User, complaint: Complaint, handler: User) -> Complaint:
    """Hand the complaint to another member of customer care, a supervisor or the manager
    of the store (any state but closed). Side effects: ASSIGNED event, audit row, the new
    handler notified (unless they assigned it to themselves)."""
    _require_worker(actor, complaint)
    if not (handler.is_active and handler.store_id == complaint.store_id
            and has_role(handler, *COMPLAINT_WORK_ROLES)):
        raise ValidationError({"handler": [_("Choose customer care, a supervisor or the "
                                             "manager of the store.")]})
    with transaction.atomic():
        locked = _locked(complaint)
        _refuse_unless(locked, *OPEN_COMPLAINT_STATUSES)
        if locked.handler_id == handler.pk:
            raise ValidationError({"handler": [_("%(name)s already handles this complaint.")
                                               % {"name": handler}]})
        before = _snapshot(locked, "handler_id")
        locked.handler = handler
        locked.save(update_fields=["handler", "updated_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"handler": [before["handler_id"], handler.pk]})
        _event(locked, ComplaintEventKind.ASSIGNED, actor=actor, note=str(handler),
               handler=handler.pk)
        if handler.pk != actor.pk:
            notification_send(store=locked.store, user=handler,
                              kind=LeadEventKind.COMPLAINT,
                              lead=latest_lead_of(locked.customer))
    return locked


def complaint_note_add(*, actor: User, complaint: Complaint, note: str) -> ComplaintEvent:
    """A note on the complaint's timeline (any state). Side effects: the NOTE event."""
    _require_worker(actor, complaint)
    errors: dict = {}
    note = _required(errors, "note", note, _("Write the note."))
    if errors:
        raise ValidationError(errors)
    return _event(complaint, ComplaintEventKind.NOTE, actor=actor, note=note)
