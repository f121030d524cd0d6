"""The showroom floor: the duty roster and its queue, walk-in visits, objections, talk
tracks. One function per change, each in a transaction; transitions lock their rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction, Role
from dealership.models import Customer, Series, Store, User
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from leads.enums import OPEN_STATUSES, Channel, LeadStatus
from leads.models import Lead
from leads.services import lead_capture, lead_mark_visited
from leads.services.events import event
from leads.services.notifications import notification_send
from leads.services.routing import routing_availability_set
from showroom.enums import DutyState, LeadEventKind, ObjectionType, OwnerBusy
from showroom.models import DutyShift, Objection, TalkTrack, Visit
from showroom.permissions import (
    can_add_visit_phone,
    can_edit_talk_tracks,
    can_run_desk,
    can_work_visit,
)
from showroom.selectors.invitations import invitation_expected_for_customer
from showroom.services.invitations import invitation_mark_arrived


class RoutedBy:
    """How a walk-in's consultant was chosen (Visit.routed_by)."""

    QUEUE = "queue"
    CUSTOMER = "customer"  # the returning customer's own consultant
    RECEPTIONIST = "receptionist"  # chosen by hand, with the reason


# A tablet's clock may run a little ahead of the server's: "now" typed there is accepted.
CLOCK_SKEW = dt.timedelta(minutes=5)


def arrival_range(store: Store) -> tuple[dt.datetime, dt.datetime]:
    """When a walk-in may have arrived: today in the store (the desk registers the people
    in the showroom, not yesterday's), and not later than now."""
    start, _end = store.day_bounds(store.today())
    return start, timezone.now() + CLOCK_SKEW


def departure_range(visit: Visit) -> tuple[dt.datetime, dt.datetime]:
    """When a visitor may have left: after they arrived, not later than now, and on the
    day they came (a visit forgotten overnight is closed with that evening's time)."""
    _start, end = visit.store.day_bounds(timezone.localdate(visit.arrived_at,
                                                             visit.store.tzinfo))
    return visit.arrived_at, min(timezone.now() + CLOCK_SKEW, end - dt.timedelta(microseconds=1))


# States a receptionist sets by hand; "with a customer" only follows from a visit.
MANUAL_STATES = (DutyState.AVAILABLE, DutyState.AWAY, DutyState.OFF)
# Fields of the needs analysis (需求分析) that closing a visit records.
NEEDS_FIELDS = ("usage", "budget_min", "budget_max", "powertrain", "seats", "competitors",
                "payment", "trade_in", "trade_in_vehicle", "decision_maker", "timing",
                "focus_points", "customer_type")


def _end_of_queue(store_id: int, day: dt.date) -> int:
    top = DutyShift.objects.filter(store_id=store_id, date=day).aggregate(m=Max("position"))
    return (top["m"] or 0) + 1


# --- Roster -------------------------------------------------------------------------------
def _tell_routing(*, store: Store, day: dt.date, actor: User) -> None:
    """Push the whole day's roster to lead routing: those on it and not off take new leads.
    The whole day, not one consultant, so that routing never sees half a roster."""
    shifts = DutyShift.objects.filter(store=store, date=day).select_related("consultant")
    routing_availability_set(store=store, day=day, actor=actor, availability={
        shift.consultant: shift.state != DutyState.OFF for shift in shifts})


def roster_set(*, store: Store, day: dt.date, consultants: Sequence[User], actor: User
               ) -> list[DutyShift]:
    """Who is on duty on `day`, in queue order. A consultant already on the roster keeps
    their state; one left out is marked off (the day's shifts are kept, not deleted).
    Side effects: duty shifts created or re-ordered; lead routing told who takes new
    leads that day (those on the roster and not off)."""
    if not can_run_desk(actor, store):
        raise PermissionDenied
    chosen = list(consultants)
    if len({c.pk for c in chosen}) != len(chosen):
        raise ValidationError({"consultants": _("Each consultant can be on duty only once.")})
    if any(c.store_id != store.pk or c.role != Role.CONSULTANT or not c.is_active
           for c in chosen):
        raise ValidationError({"consultants": _("Only active consultants of this store can be "
                                                "on duty.")})
    now = timezone.now()
    with transaction.atomic():
        # The store row serialises two saves of the roster: locking the day's shifts alone
        # would let both create the same missing shift (a unique violation for the second).
        Store.objects.select_for_update().filter(pk=store.pk).first()
        existing = {s.consultant_id: s for s in DutyShift.objects.select_for_update()
                    .filter(store=store, date=day)}
        shifts = []
        for position, consultant in enumerate(chosen, start=1):
            shift = existing.pop(consultant.pk, None)
            if shift is None:
                shift = DutyShift.objects.create(store=store, date=day, consultant=consultant,
                                                 position=position, state_since=now)
            else:
                shift.position = position
                fields = ["position"]
                if shift.state == DutyState.OFF:
                    shift.state, shift.state_since = DutyState.AVAILABLE, now
                    fields += ["state", "state_since"]
                shift.save(update_fields=fields)
            shifts.append(shift)
        for shift in existing.values():
            if shift.state != DutyState.OFF:
                shift.state, shift.state_since = DutyState.OFF, now
                shift.save(update_fields=["state", "state_since"])
        _tell_routing(store=store, day=day, actor=actor)
    return shifts


def duty_set_state(*, shift: DutyShift, state: str, actor: User) -> DutyShift:
    """Waiting, away/at lunch or off, set from the desk. A consultant who comes back to
    waiting joins the end of the queue. Someone with a customer is freed by closing the
    visit, not by hand. Side effects: the shift's state and position, an audit row; lead
    routing told whether the consultant takes new leads (not when off)."""
    if not can_run_desk(actor, shift.store):
        raise PermissionDenied
    if state not in MANUAL_STATES:
        raise ValidationError({"state": _("Choose waiting, away or off.")})
    with transaction.atomic():
        # The store row first, as roster_set takes it: two changes at once then push the
        # day's roster to routing one after the other, each seeing the other's.
        Store.objects.select_for_update().filter(pk=shift.store_id).first()
        locked = DutyShift.objects.select_for_update().select_related("consultant").get(
            pk=shift.pk)
        if locked.state == state:
            return locked
        if Visit.objects.filter(store_id=locked.store_id, consultant_id=locked.consultant_id,
                                departed_at__isnull=True).exists():
            raise ValidationError(_("%(name)s is with a customer; closing the visit puts them "
                                    "back in the queue.") % {"name": locked.consultant})
        previous = locked.state
        locked.state, locked.state_since = state, timezone.now()
        fields = ["state", "state_since"]
        if state == DutyState.AVAILABLE:
            locked.position = _end_of_queue(locked.store_id, locked.date)
            fields.append("position")
        locked.save(update_fields=fields)
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"state": [previous, state]})
        if DutyState.OFF in (previous, state):
            _tell_routing(store=shift.store, day=locked.date, actor=actor)
    return locked


# --- Walk-ins -----------------------------------------------------------------------------
def _open_lead(customer: Customer) -> Lead | None:
    return (Lead.objects.filter(customer=customer, status__in=OPEN_STATUSES)
            .select_related("owner", "store").order_by("-created_at").first())


@dataclass
class _Routing:
    shift: DutyShift
    routed_by: str
    # The customer waits for their own consultant (shift), who is with someone else.
    waiting: bool = False
    # The customer's own consultant, told that another consultant serves their customer.
    owner_told: User | None = None
    note: str = ""


def _busy_since(shift: DutyShift) -> str:
    return timezone.localtime(shift.state_since, shift.store.tzinfo).strftime("%H:%M")


def _choose_consultant(*, shifts: dict[int, DutyShift], customer: Customer | None,
                       chosen: User | None, note: str, owner_busy: str) -> _Routing:
    """The returning-customer rule, then the queue, then the receptionist's choice."""
    owner = customer.owner if customer is not None else None
    owner_told = None
    if owner is not None and owner.is_active and owner.role == Role.CONSULTANT:
        own = shifts.get(owner.pk)
        if own is not None and own.state == DutyState.AVAILABLE:
            if chosen is not None and chosen.pk != owner.pk:
                raise ValidationError({"consultant": _(
                    "%(name)s serves this customer and is on duty; leave the choice empty.")
                    % {"name": owner}})
            return _Routing(own, RoutedBy.CUSTOMER)
        if own is not None and own.state == DutyState.WITH_CUSTOMER:
            # Never a second reception for a consultant who is with a customer: the
            # receptionist asks the customer to wait for them, or hands them on.
            if owner_busy == OwnerBusy.WAIT:
                return _Routing(own, RoutedBy.CUSTOMER, waiting=True)
            if owner_busy != OwnerBusy.NEXT:
                raise ValidationError({"owner_busy": _(
                    "%(name)s, this customer's consultant, has been with another customer since "
                    "%(since)s. Ask the customer to wait for them, or hand them to the next "
                    "in the queue.") % {"name": owner, "since": _busy_since(own)}})
            if chosen is not None and chosen.pk == owner.pk:
                raise ValidationError({"consultant": _(
                    "%(name)s is with another customer; choose someone else or let the "
                    "customer wait.") % {"name": owner}})
            owner_told = owner
            note = note.strip() or _("%(name)s was with another customer.") % {"name": owner}
        elif chosen is None or not note.strip():
            raise ValidationError({"consultant": _(
                "This customer's consultant %(name)s is not on the floor; choose another "
                "consultant and give the reason.") % {"name": owner},
                "routing_note": _("Say why another consultant serves this customer.")})
    waiting = sorted((s for s in shifts.values() if s.state == DutyState.AVAILABLE),
                     key=lambda s: (s.position, s.pk))
    if chosen is None:
        if not waiting:
            raise ValidationError({"consultant": _(
                "Nobody is waiting in the queue; choose a consultant.")})
        return _Routing(waiting[0], RoutedBy.QUEUE, owner_told=owner_told, note=note)
    shift = shifts.get(chosen.pk)
    if shift is None or shift.state == DutyState.OFF:
        raise ValidationError({"consultant": _("%(name)s is not on duty today.")
                               % {"name": chosen}})
    if owner is None and waiting and waiting[0].pk != shift.pk and not note.strip():
        raise ValidationError({"routing_note": _(
            "%(next)s is next in the queue; say why %(name)s serves this customer instead.")
            % {"next": waiting[0].consultant, "name": chosen}})
    return _Routing(shift, RoutedBy.RECEPTIONIST, owner_told=owner_told, note=note)


def _refuse_busy(shift: DutyShift) -> None:
    if shift.state == DutyState.WITH_CUSTOMER:
        raise ValidationError({"consultant": _(
            "%(name)s has been with a customer since %(since)s; choose someone who is free.")
            % {"name": shift.consultant, "since": _busy_since(shift)}})


def visit_register(
    *, store: Store, actor: User, arrived_at: dt.datetime, party_size: int = 1,
    first_visit: bool = True, phone: str = "", name: str = "", description: str = "",
    consultant: User | None = None, routing_note: str = "",
    customer: Customer | None = None, owner_busy: str = "",
) -> Visit:
    """Register a walk-in and give them a consultant. `phone` is E.164 or empty; `customer`
    is a customer of the store found by name at the desk (it wins over `phone`); the
    arrival is within the store's today and not later than now (arrival_range).

    A returning visitor needs a phone or a customer. A returning customer goes to their
    own consultant if that consultant is waiting on the floor; if the consultant is with
    someone else, `owner_busy` says what the customer chose (OwnerBusy: wait for them, or
    the next in the queue, and the consultant is told); otherwise the receptionist chooses,
    with a reason. Everyone else gets the next waiting consultant. Nobody starts a second
    reception while with a customer. A new phone with a name becomes a customer and a
    walk-in lead of the assigned consultant.
    Side effects: visit, duty shift → with customer (not while waiting), notification,
    customer and lead, today's invitation of the customer marked arrived and linked.
    """
    if not can_run_desk(actor, store):
        raise PermissionDenied
    if arrived_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"arrived_at": _("The arrival time cannot be in the future.")})
    earliest, latest = arrival_range(store)
    ensure_within(arrived_at, earliest=earliest, latest=latest, field="arrived_at")
    if customer is not None and customer.store_id != store.pk:
        raise ValidationError({"customer": _("Choose a customer of this store.")})
    if not first_visit and customer is None and not phone:
        raise ValidationError({"phone": _(
            "A returning customer: ask for their mobile number, or find them by name.")})
    with transaction.atomic():
        # Locking the day's roster serialises two receptionists registering at once: the
        # second sees the first's consultant with a customer.
        shifts = {s.consultant_id: s for s in DutyShift.objects.select_for_update()
                  .filter(store=store, date=store.today()).select_related("consultant",
                                                                          "store")}
        if customer is not None:
            customer = Customer.objects.select_related("owner").get(pk=customer.pk)
        elif phone:
            customer = (Customer.objects.filter(store=store, phone=phone)
                        .select_related("owner").first())
        if phone and customer is None and not name.strip():
            raise ValidationError({"name": _("A new phone number needs the customer's name; "
                                             "or leave the phone empty and add it later.")})
        routing = _choose_consultant(shifts=shifts, customer=customer, chosen=consultant,
                                     note=routing_note, owner_busy=owner_busy)
        shift = routing.shift
        if not routing.waiting:
            _refuse_busy(shift)
        assigned = shift.consultant
        lead = _open_lead(customer) if customer is not None else None
        if phone and customer is None:
            result = lead_capture(store=store, actor=actor, name=name.strip(), phone=phone,
                                  channel=Channel.WALK_IN, owner=assigned)
            lead = result.lead
            customer = Customer.objects.get(pk=lead.customer_id)  # owner set by the capture
        visit = Visit(store=store, customer=customer, lead=lead,
                      consultant=None if routing.waiting else assigned,
                      waiting_for=assigned if routing.waiting else None,
                      registered_by=actor, arrived_at=arrived_at, party_size=party_size,
                      first_visit=first_visit, description=description.strip(),
                      routed_by=routing.routed_by,
                      routing_note=(routing.note or routing_note).strip())
        visit.full_clean(exclude=["customer", "lead", "consultant", "registered_by", "store",
                                  "waiting_for"])
        visit.save()
        if lead is not None and lead.can_advance_to(LeadStatus.VISITED):
            # The customer is here: the lead has been visited from this moment on.
            lead = lead_mark_visited(lead=lead, actor=actor)
        if not routing.waiting:
            shift.state, shift.state_since = DutyState.WITH_CUSTOMER, timezone.now()
            shift.save(update_fields=["state", "state_since"])
        if customer is not None:
            # An invited customer walking in fulfils today's invitation (邀约到店).
            invitation = invitation_expected_for_customer(store=store, customer_id=customer.pk,
                                                          day=store.today())
            if invitation is not None:
                invitation_mark_arrived(actor=actor, invitation=invitation, visit=visit)
        # The customer's own consultant hears of them (防撞单): come, they wait, or another
        # consultant serves them. Linked to the lead only when it is theirs.
        told = routing.owner_told or (assigned if routing.routed_by == RoutedBy.CUSTOMER
                                      else None)
        if told is not None:
            own = lead if lead is not None and lead.owner_id == told.pk else None
            notification_send(store=store, user=told, kind=LeadEventKind.VISIT, lead=own)
    return visit


def _record_on_lead(visit: Visit, actor: User) -> None:
    """A closed visit on the lead: status visited when it can advance (a lead further
    along stays), a new walk-in lead when the customer has none open, a timeline row."""
    if visit.customer is None:
        return
    lead = visit.lead if (visit.lead is not None and visit.lead.is_open) else \
        _open_lead(visit.customer)
    if lead is None:
        customer = visit.customer
        lead = lead_capture(store=visit.store, actor=actor, name=customer.name,
                            phone=customer.phone, channel=Channel.WALK_IN,
                            owner=visit.consultant).lead
    if lead.can_advance_to(LeadStatus.VISITED):
        lead = lead_mark_visited(lead=lead, actor=actor)
    minutes = int(visit.duration.total_seconds() // 60)
    event(lead, LeadEventKind.VISIT, actor=actor, note=visit.note, visit=visit.pk,
          minutes=minutes, outcome=visit.outcome)
    if visit.lead_id != lead.pk:
        visit.lead = lead
        visit.save(update_fields=["lead"])


def visit_close(
    *, visit: Visit, actor: User, departed_at: dt.datetime, outcome: str,
    models_presented: Iterable[Series] = (), note: str = "", needs: dict | None = None,
) -> Visit:
    """The customer left: departure, needs analysis, models presented, outcome. The
    consultant goes to the end of the queue unless another customer still waits for them.
    Side effects: visit, duty shift, lead status and timeline (or a new lead)."""
    if not can_work_visit(actor, visit):
        raise PermissionDenied
    needs = needs or {}
    if set(needs) - set(NEEDS_FIELDS):
        raise ValidationError(_("Unknown needs analysis fields."))
    now = timezone.now()
    with transaction.atomic():
        locked = (Visit.objects.select_for_update(of=("self",))
                  .select_related("store", "customer", "lead", "consultant").get(pk=visit.pk))
        if not locked.is_open:
            raise ValidationError(_("This visit was already closed."))
        if departed_at < locked.arrived_at:
            raise ValidationError({"departed_at": _("The customer cannot leave before they "
                                                    "arrived.")})
        if departed_at > now + CLOCK_SKEW:
            raise ValidationError({"departed_at": _("The departure time cannot be in the "
                                                    "future.")})
        earliest, latest = departure_range(locked)
        ensure_within(departed_at, earliest=earliest, latest=latest, field="departed_at")
        locked.departed_at, locked.outcome, locked.note = departed_at, outcome, note.strip()
        for name, value in needs.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["customer", "lead", "consultant", "registered_by", "store"])
        locked.save(update_fields=["departed_at", "outcome", "note", *needs])
        locked.models_presented.set(list(models_presented))
        _back_in_queue(locked)
        _record_on_lead(locked, actor)
    return locked


def _back_in_queue(visit: Visit) -> None:
    """The consultant is free: the customer who waits for them is theirs now, or they
    rejoin the queue at its end."""
    if visit.consultant_id is None:
        return
    if Visit.objects.filter(consultant_id=visit.consultant_id, departed_at__isnull=True,
                            store_id=visit.store_id).exclude(pk=visit.pk).exists():
        return  # another customer still with them
    # The waiting visit is locked before the shift, as visit_hand_over does: no deadlock.
    waiting = (Visit.objects.select_for_update(of=("self",))
               .filter(store_id=visit.store_id, waiting_for_id=visit.consultant_id,
                       departed_at__isnull=True).order_by("arrived_at", "id").first())
    day = visit.store.today()
    shift = (DutyShift.objects.select_for_update()
             .filter(store_id=visit.store_id, date=day, consultant_id=visit.consultant_id)
             .first())
    if shift is None or shift.state != DutyState.WITH_CUSTOMER:
        return
    if waiting is not None:
        waiting.consultant_id, waiting.waiting_for = visit.consultant_id, None
        waiting.save(update_fields=["consultant", "waiting_for"])
        shift.state_since = timezone.now()  # a new reception starts now
        shift.save(update_fields=["state_since"])
        return
    shift.position = _end_of_queue(visit.store_id, day)
    shift.state, shift.state_since = DutyState.AVAILABLE, timezone.now()
    shift.save(update_fields=["position", "state", "state_since"])


def visit_hand_over(*, visit: Visit, actor: User) -> Visit:
    """A customer who waits for their own consultant will not wait longer: the next
    consultant waiting in the queue serves them, and their own consultant is told.
    Side effects: visit, that consultant's duty shift → with customer, notification,
    audit row."""
    if not can_run_desk(actor, visit.store):
        raise PermissionDenied
    with transaction.atomic():
        locked = (Visit.objects.select_for_update(of=("self",))
                  .select_related("store", "waiting_for", "lead").get(pk=visit.pk))
        if not locked.is_waiting:
            raise ValidationError(_("This customer is not waiting for a consultant any "
                                    "more."))
        store = locked.store
        shifts = list(DutyShift.objects.select_for_update()
                      .filter(store=store, date=store.today(), state=DutyState.AVAILABLE)
                      .select_related("consultant").order_by("position", "id"))
        if not shifts:
            raise ValidationError(_("Nobody is waiting in the queue; the customer waits for "
                                    "the next consultant who is free."))
        shift, owner = shifts[0], locked.waiting_for
        locked.consultant, locked.waiting_for = shift.consultant, None
        locked.routed_by = RoutedBy.QUEUE
        locked.routing_note = _("%(name)s was with another customer.") % {"name": owner}
        locked.save(update_fields=["consultant", "waiting_for", "routed_by", "routing_note"])
        shift.state, shift.state_since = DutyState.WITH_CUSTOMER, timezone.now()
        shift.save(update_fields=["state", "state_since"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"consultant": [None, shift.consultant_id],
                           "waiting_for": [owner.pk, None]})
        own = locked.lead if locked.lead is not None and locked.lead.owner_id == owner.pk \
            else None
        notification_send(store=store, user=owner, kind=LeadEventKind.VISIT, lead=own)
    return locked


def visit_add_phone(*, visit: Visit, actor: User, phone: str, name: str = "") -> Visit:
    """The phone number arrives after registration: link the customer (and their open
    lead), or create customer and walk-in lead for a new number. `phone` is E.164.
    Side effects: visit, customer and lead; a closed visit also goes on the lead."""
    if not can_add_visit_phone(actor, visit):
        raise PermissionDenied
    with transaction.atomic():
        locked = (Visit.objects.select_for_update(of=("self",))
                  .select_related("store", "consultant").get(pk=visit.pk))
        if locked.customer_id is not None:
            raise ValidationError(_("This visit already has a customer."))
        customer = Customer.objects.filter(store=locked.store, phone=phone).first()
        if customer is not None:
            lead = _open_lead(customer)
        else:
            if not name.strip():
                raise ValidationError({"name": _("A new phone number needs the customer's "
                                                 "name.")})
            lead = lead_capture(store=locked.store, actor=actor, name=name.strip(),
                                phone=phone, channel=Channel.WALK_IN,
                                owner=locked.consultant).lead
            customer = Customer.objects.get(pk=lead.customer_id)
        locked.customer, locked.lead = customer, lead
        locked.save(update_fields=["customer", "lead"])
        if not locked.is_open:
            _record_on_lead(locked, actor)
    return locked


# --- Objections and talk tracks -------------------------------------------------------------
def objection_add(*, visit: Visit, actor: User, kind: str, note: str,
                  series: Series | None = None) -> Objection:
    """Record what the customer objected to. Side effects: objection row."""
    if not can_work_visit(actor, visit):
        raise PermissionDenied
    if kind not in ObjectionType.values:
        raise ValidationError({"kind": _("Choose what the objection is about.")})
    if not note.strip():
        raise ValidationError({"note": _("Write down what the customer said.")})
    objection = Objection(store_id=visit.store_id, visit=visit, kind=kind, series=series,
                          note=note.strip())
    objection.full_clean(exclude=["store", "visit"])
    with transaction.atomic():
        objection.save()
    return objection


def talk_track_save(*, store: Store, actor: User, kind: str, title: str, body: str,
                    series: Series | None = None, track: TalkTrack | None = None
                    ) -> TalkTrack:
    """Create or edit one of the store's talk tracks (manager). Side effects: the row."""
    if not can_edit_talk_tracks(actor) or actor.store_id != store.pk:
        raise PermissionDenied
    if track is not None and track.store_id != store.pk:
        raise PermissionDenied
    track = track or TalkTrack(store=store)
    track.kind, track.series, track.title, track.body = kind, series, title.strip(), body
    track.updated_by, track.updated_at = actor, timezone.now()
    track.full_clean(exclude=["store", "updated_by"])
    with transaction.atomic():
        track.save()
    return track
