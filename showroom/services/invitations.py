"""Invitations (邀约): a consultant books a customer to come in; the desk marks the arrival;
a nightly job marks the ones who never came (DESIGN §2 "Showroom", §3 show rate).

Every change writes an INVITATION row on the lead's timeline (data["action"] says which).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.models import Store, User
from dealership.validators import ensure_within
from leads.enums import LeadStatus
from leads.models import Lead
from leads.services import lead_invite
from leads.services.events import event, lead_events_add
from showroom.enums import InvitationStatus, LeadEventKind
from showroom.models import Invitation, Visit
from showroom.permissions import can_cancel_invitation, can_invite, can_mark_arrived

BATCH_SIZE = 1000
# The no-show job stops after this many full batches; the rest waits for the next night.
MAX_BATCHES = 200
# A customer is invited for the coming weeks; further out the appointment means nothing
# (and a typo such as year 20260 would otherwise be kept).
INVITATION_HORIZON = dt.timedelta(days=90)


# --- Predicates (checked by the views as well) ------------------------------------------


def _timeline(invitation: Invitation, action: str, *, actor: User | None,
              note: str = "") -> None:
    event(invitation.lead, LeadEventKind.INVITATION, actor=actor, note=note,
          invitation=invitation.pk, action=action,
          expected_at=invitation.expected_at.isoformat())


def _locked(invitation: Invitation) -> Invitation:
    return (Invitation.objects.select_for_update(of=("self",))
            .select_related("lead", "lead__customer", "store").get(pk=invitation.pk))


# --- Transitions -------------------------------------------------------------------------
def invitation_create(*, actor: User, lead: Lead, expected_at: dt.datetime,
                      purpose: str = "") -> Invitation:
    """Book the lead's customer to come to the showroom.

    Refused unless the actor works the lead, the lead is open and has a consultant, the
    time is in the future (at most 90 days ahead) within the store's opening hours, and
    no other invitation of the lead is still expected. Side effects: the lead advances to
    "invited" when the funnel allows it; an INVITATION row on the timeline.
    """
    if not can_invite(actor, lead):
        raise PermissionDenied
    store = lead.store
    now = timezone.now()
    if timezone.is_naive(expected_at):
        raise ValidationError({"expected_at": _("Give the time with its time zone.")})
    if expected_at <= now:
        raise ValidationError({"expected_at": _("The visit must be in the future.")})
    ensure_within(expected_at, latest=now + INVITATION_HORIZON, field="expected_at")
    local = timezone.localtime(expected_at, store.tzinfo)
    if not (store.opens_at <= local.time() < store.closes_at):
        raise ValidationError({"expected_at": _(
            "The showroom is open from %(opens)s to %(closes)s; choose a time in between."
        ) % {"opens": f"{store.opens_at:%H:%M}", "closes": f"{store.closes_at:%H:%M}"}})
    purpose = (purpose or "").strip()
    with transaction.atomic():
        # The lead's row lock serialises two bookings of the same lead made at once.
        locked = (Lead.objects.select_for_update(of=("self",))
                  .select_related("store", "customer", "owner").get(pk=lead.pk))
        if not locked.is_open:
            raise ValidationError(_("This lead is closed; it cannot be invited."))
        if locked.owner_id is None:
            raise ValidationError(_("This lead has no consultant yet; assign it first."))
        pending = (Invitation.objects.filter(lead=locked, status=InvitationStatus.SCHEDULED)
                   .order_by("expected_at").first())
        if pending is not None:
            raise ValidationError(_(
                "The customer is already expected on %(when)s. Cancel that invitation "
                "before booking another one."
            ) % {"when": f"{timezone.localtime(pending.expected_at, store.tzinfo):%Y-%m-%d %H:%M}"})
        invitation = Invitation(store=locked.store, lead=locked, consultant=locked.owner,
                                expected_at=expected_at, purpose=purpose, created_by=actor,
                                created_at=now)
        invitation.full_clean()
        invitation.save()
        if locked.can_advance_to(LeadStatus.INVITED):
            locked = lead_invite(lead=locked, actor=actor)
        invitation.lead = locked
        _timeline(invitation, "scheduled", actor=actor, note=purpose)
    return invitation


def invitation_mark_arrived(*, actor: User, invitation: Invitation,
                            visit: Visit | None = None) -> Invitation:
    """The invited customer is here. `visit`, if given, must be today's visit of the same
    customer at the same store (the desk passes it when a walk-in matches).

    Side effects: status arrived, closed_at, the visit linked; an INVITATION row on the
    timeline. The lead's status is the visit's business (the desk moves it to visited).
    """
    if not can_mark_arrived(actor, invitation):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.status != InvitationStatus.SCHEDULED:
            raise ValidationError(_("This invitation is no longer expected (%(status)s).") % {
                "status": locked.get_status_display()})
        if visit is not None:
            _check_visit(locked, visit, now=now)
        locked.status, locked.closed_at, locked.visit = InvitationStatus.ARRIVED, now, visit
        locked.save(update_fields=["status", "closed_at", "visit"])
        _timeline(locked, "arrived", actor=actor)
    return locked


def _check_visit(invitation: Invitation, visit: Visit, *, now: dt.datetime) -> None:
    store = invitation.store
    if visit.store_id != invitation.store_id or visit.customer_id != invitation.lead.customer_id:
        raise ValidationError({"visit": _("This visit is of another customer.")})
    today = timezone.localdate(now, store.tzinfo)
    if timezone.localdate(visit.arrived_at, store.tzinfo) != today:
        raise ValidationError({"visit": _("Only today's visit can be linked.")})
    if Invitation.objects.filter(visit=visit).exclude(pk=invitation.pk).exists():
        raise ValidationError({"visit": _("This visit already belongs to another invitation.")})


def invitation_cancel(*, actor: User, invitation: Invitation, reason: str) -> Invitation:
    """The customer will not come (or the consultant withdrew the invitation).

    Side effects: status cancelled, closed_at; the reason on the lead's timeline.
    A cancelled invitation does not count in the show rate.
    """
    if not can_cancel_invitation(actor, invitation):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the invitation is cancelled.")})
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.status != InvitationStatus.SCHEDULED:
            raise ValidationError(_("This invitation is no longer expected (%(status)s).") % {
                "status": locked.get_status_display()})
        locked.status, locked.closed_at = InvitationStatus.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        _timeline(locked, "cancelled", actor=actor, note=reason)
    return locked


# --- The nightly no-show job -------------------------------------------------------------
def _day_over_cutoff(*, tz, closes_at: dt.time, now: dt.datetime) -> dt.datetime:
    """Invitations expected before this instant belong to a day that is over for the store:
    an earlier local date, or today once the store has closed."""
    local_now = timezone.localtime(now, tz)
    day = local_now.date()
    if local_now.time() >= closes_at:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _overdue_condition(now: dt.datetime) -> Q:
    """One OR-ed condition per store: each store's own time zone and closing time."""
    condition = Q(pk__in=[])
    for store in Store.objects.only("pk", "timezone", "closes_at").order_by("pk"):
        cutoff = _day_over_cutoff(tz=store.tzinfo, closes_at=store.closes_at, now=now)
        condition |= Q(store_id=store.pk, expected_at__lt=cutoff)
    return condition


def _mark_batch(now: dt.datetime, condition: Q) -> int:
    with transaction.atomic():
        # SKIP LOCKED: an invitation the desk is marking right now is left for the next
        # run; the UPDATE repeats the status so a row changed meanwhile is not touched.
        rows = list(
            Invitation.objects.filter(condition, status=InvitationStatus.SCHEDULED)
            .select_for_update(skip_locked=True, of=("self",)).order_by("pk")
            .values("pk", "lead_id", "expected_at")[:BATCH_SIZE]
        )
        if not rows:
            return 0
        ids = [row["pk"] for row in rows]
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SCHEDULED).update(
            status=InvitationStatus.NO_SHOW, closed_at=now)
        lead_events_add(kind=LeadEventKind.INVITATION, note=_("The customer did not come."),
                        at=now, rows=[(row["lead_id"], {
                            "invitation": row["pk"], "action": "no_show",
                            "expected_at": row["expected_at"].isoformat()}) for row in rows])
    return len(rows)


def invitations_mark_no_show(*, now: dt.datetime) -> int:
    """Expected invitations whose day is over for their store become no-shows.

    Set-based: per batch one locked SELECT of ids, one UPDATE, one bulk INSERT of timeline
    rows. Idempotent: a second run finds nothing still expected. Returns how many changed.
    """
    condition = _overdue_condition(now)
    total = 0
    for _batch in range(MAX_BATCHES):
        taken = _mark_batch(now, condition)
        total += taken
        if taken < BATCH_SIZE:
            break
    return total
