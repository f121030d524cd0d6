"""Writes of the supervisor's and manager's screens: campaigns, on duty, a leaving
consultant's book, the store's lead policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dealership.enums import AuditAction, Role
from dealership.models import Store, User
from dealership.services.audit import audit_changes, audit_log
from dealership.services.users import user_sessions_end
from dealership.validators import ensure_within
from leads.models import Campaign, ConsultantRouting, Lead, LeadPolicy
from leads.permissions import (
    can_edit_policy,
    can_manage_campaigns,
    can_reassign_book,
    can_set_on_duty,
)
from leads.services.routing import book_reassign, lead_assign, routing_loads_refresh

CAMPAIGN_FIELDS = ("name", "channel", "starts_on", "ends_on", "budget", "note")
POLICY_FIELDS = ("cadence_a_days", "cadence_b_days", "cadence_c_per_month",
                 "first_contact_minutes", "remind_owner_after_minutes",
                 "alert_supervisor_after_minutes", "reassign_after_minutes",
                 "dormant_after_days", "pool_after_days", "messages_per_week",
                 "reactivation_text")


# --- Campaigns -------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    return value if isinstance(value, int | str | bool | type(None)) else str(value)


# A campaign is planned at most about five years ahead; the store's history starts in 2000.
CAMPAIGN_FIRST_DAY = dt.date(2000, 1, 1)
CAMPAIGN_HORIZON = dt.timedelta(days=5 * 366)


def campaign_day_range(store: Store) -> tuple[dt.date, dt.date]:
    return CAMPAIGN_FIRST_DAY, store.today() + CAMPAIGN_HORIZON


def _campaign_save(campaign: Campaign) -> None:
    earliest, latest = campaign_day_range(campaign.store)
    for name in ("starts_on", "ends_on"):
        ensure_within(getattr(campaign, name), earliest=earliest, latest=latest, field=name)
    campaign.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        # Two people naming two campaigns alike at once: the constraint decides.
        raise ValidationError(
            {"name": _("This store already has a campaign of that name.")}) from None


def campaign_create(*, actor: User, store: Store, data: dict[str, Any]) -> Campaign:
    """A new campaign of the store. Side effects: one audit row."""
    if not can_manage_campaigns(actor) or actor.store_id != store.pk:
        raise PermissionDenied
    campaign = Campaign(store=store, **{name: data[name] for name in CAMPAIGN_FIELDS
                                        if name in data})
    with transaction.atomic():
        _campaign_save(campaign)
        audit_log(actor=actor, instance=campaign, action=AuditAction.CREATE,
                  changes={name: [None, _plain(getattr(campaign, name))]
                           for name in CAMPAIGN_FIELDS if getattr(campaign, name) != ""})
    return campaign


def campaign_update(*, actor: User, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    """Change a campaign's name, channel, period, budget or note. Side effects: one audit
    row listing what changed (none when nothing did)."""
    if not can_manage_campaigns(actor) or actor.store_id != campaign.store_id:
        raise PermissionDenied
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = {name: _plain(getattr(locked, name)) for name in CAMPAIGN_FIELDS}
        for name in CAMPAIGN_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        _campaign_save(locked)
        locked.refresh_from_db()
        changes = {name: [before[name], _plain(getattr(locked, name))]
                   for name in CAMPAIGN_FIELDS if before[name] != _plain(getattr(locked, name))}
        if changes:
            audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes=changes)
    return locked


# --- Consultants: on duty, leaving ---------------------------------------------------------
def consultant_set_on_duty(*, actor: User, consultant: User, on_duty: bool) -> ConsultantRouting:
    """Put a consultant in or out of the lead round robin (the routing row is created if
    missing). Side effects: one audit row when the state changes."""
    if not can_set_on_duty(actor, consultant):
        raise PermissionDenied
    if on_duty and not consultant.is_active:
        raise ValidationError(_("A consultant who has left cannot be on duty."))
    with transaction.atomic():
        routing, created = ConsultantRouting.objects.select_for_update().get_or_create(
            user=consultant, defaults={"store_id": consultant.store_id})
        if created:  # a consultant given leads before they were routed starts with them
            routing_loads_refresh(owner_ids=(consultant.pk,))
            routing.refresh_from_db(fields=["open_leads"])
        previous = routing.on_duty
        if previous != on_duty:
            routing.on_duty = on_duty
            routing.save(update_fields=["on_duty"])
            audit_log(actor=actor, instance=routing, action=AuditAction.UPDATE,
                      changes={"on_duty": [previous, on_duty]})
    return routing


def consultant_hand_over(*, actor: User, from_user: User, to_user: User,
                         deactivate: bool = False) -> int:
    """A consultant leaves: their whole book (open leads, every customer) goes to
    `to_user` (timeline rows by `book_reassign`); with `deactivate`, their login is switched
    off and they leave the round robin in the same transaction. Returns the leads moved.
    Side effects: lead timeline rows, customers' owner, audit row of the user."""
    if not can_reassign_book(actor) or (
            actor.role != Role.ADMIN and actor.store_id != from_user.store_id):
        raise PermissionDenied
    if deactivate and from_user.pk == actor.pk:
        raise ValidationError(_("You cannot switch off your own login."))
    with transaction.atomic():
        moved = book_reassign(from_user=from_user, to_user=to_user, actor=actor)
        if deactivate:
            leaver = User.objects.select_for_update().get(pk=from_user.pk)
            leaver.is_active = False
            leaver.save(update_fields=["is_active"])
            audit_changes(actor=actor, instance=leaver, reason=_("Left the store"))
            user_sessions_end(user=leaver)
            ConsultantRouting.objects.filter(user=leaver).update(on_duty=False)
    return moved


# --- Pool --------------------------------------------------------------------------------
def lead_assign_from_pool(*, lead: Lead, to: User, actor: User) -> Lead:
    """Give a lead from the pool to a consultant. Two people assigning the same lead at
    once: the first wins, the second is told it has left the pool. Side effects: those of
    `lead_assign` (timeline row, notification, customer's owner)."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.owner_id is not None or not locked.is_open:
            raise ValidationError(_("This lead is no longer in the pool."), code="taken")
        return lead_assign(lead=locked, to=to, actor=actor, reason=_("From the pool"))


# --- Lead policy ------------------------------------------------------------------------
def policy_update(*, actor: User, policy: LeadPolicy, data: dict[str, Any]) -> LeadPolicy:
    """Change the store's lead rules. Side effects: one audit row with the changed fields."""
    if not can_edit_policy(actor) or (
            actor.role != Role.ADMIN and not actor.is_superuser
            and actor.store_id != policy.store_id):
        raise PermissionDenied
    with transaction.atomic():
        locked = LeadPolicy.objects.select_for_update().get(pk=policy.pk)
        for name in POLICY_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        locked.full_clean(exclude=["store"])
        locked.save()
        audit_changes(actor=actor, instance=locked)
    return locked
