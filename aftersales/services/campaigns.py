"""Care campaigns: drafted, edited or deleted while a draft, then sent once.

Sending is set-based: one read of the segment (consent, anonymisation and the weekly limit
decided in SQL, the same rules as leads.messaging.message_queue) and one bulk insert of
outbox rows, each with the dedupe key "campaign:<campaign>:<customer>", so a retry can
never queue a message twice. The outbox worker sends them (and checks consent once more).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.enums import CampaignKind, CampaignStatus
from aftersales.models import CareCampaign
from aftersales.permissions import can_manage_care_campaigns
from aftersales.selectors.campaigns import (
    SEGMENT_CHOICES,
    SEGMENT_KINDS,
    campaign_audience,
    segment_customers,
)
from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from leads.enums import MessageChannel
from leads.messaging import BODY_MAX_LENGTH, message_render
from leads.models import OutboundMessage
from leads.selectors.policy import policy_for

CONFLICT = "conflict"
PURPOSE_CARE_CAMPAIGN = "care_campaign"
PLACEHOLDERS = ("name", "store", "consultant")
_BRACED = re.compile(r"\{([^{}]*)\}")


def dedupe_key(campaign: CareCampaign, customer_id: int | str) -> str:
    return f"campaign:{campaign.pk}:{customer_id}"


def _ensure_may(actor: User, store_id: int) -> None:
    if not can_manage_care_campaigns(actor) or actor.store_id != store_id:
        raise PermissionDenied


def _clean(*, name: str, kind: str, template: str, segment: dict) -> dict:
    """The campaign's fields, checked; a ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    name, template = (name or "").strip(), (template or "").strip()
    if not name:
        errors["name"] = [_("Give the campaign a name.")]
    elif len(name) > 100:
        errors["name"] = [_("A campaign name has at most 100 characters.")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("Choose the kind of campaign.")]
    if not template:
        errors["template"] = [_("Write the message.")]
    elif len(template) > BODY_MAX_LENGTH:
        errors["template"] = [_("A message has 1 to %(max)d characters.")
                              % {"max": BODY_MAX_LENGTH}]
    else:
        unknown = sorted({word for word in _BRACED.findall(template)
                          if word not in PLACEHOLDERS})
        if unknown:
            errors["template"] = [
                _("Unknown placeholder %(found)s: use {name}, {store} or {consultant}.")
                % {"found": ", ".join(f"{{{word}}}" for word in unknown)}]
    cleaned_segment = {}
    for kind_name in SEGMENT_KINDS:
        codes = list(dict.fromkeys((segment or {}).get(kind_name) or []))
        if any(code not in SEGMENT_CHOICES[kind_name].values for code in codes):
            errors[kind_name] = [_("Choose segments from the list.")]
        cleaned_segment[kind_name] = codes
    if errors:
        raise ValidationError(errors)
    return {"name": name, "kind": kind, "template": template, "segment": cleaned_segment}


def campaign_create(*, actor: User, store: Store, name: str, kind: str, template: str,
                    segment: dict) -> CareCampaign:
    """A draft campaign for the store. Side effects: the row, its audit entry."""
    _ensure_may(actor, store.pk)
    fields = _clean(name=name, kind=kind, template=template, segment=segment)
    with transaction.atomic():
        campaign = CareCampaign.objects.create(store=store, created_by=actor, **fields)
        audit_log(actor=actor, instance=campaign, action=AuditAction.CREATE,
                  changes={key: [None, value] for key, value in fields.items()})
    return campaign


def _locked_draft(campaign: CareCampaign) -> CareCampaign:
    # The row lock orders two clicks (send and send, send and edit): the second one waits,
    # then finds the campaign sent and is refused.
    locked = (CareCampaign.objects.select_for_update(of=("self",)).select_related("store")
              .get(pk=campaign.pk))
    if locked.status != CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign has already been sent: it can no longer be "
                                "changed or sent again."), code=CONFLICT)
    return locked


def campaign_update(*, actor: User, campaign: CareCampaign, name: str, kind: str,
                    template: str, segment: dict) -> CareCampaign:
    """Change a draft. Side effects: the row, an audit entry with what changed."""
    _ensure_may(actor, campaign.store_id)
    fields = _clean(name=name, kind=kind, template=template, segment=segment)
    with transaction.atomic():
        locked = _locked_draft(campaign)
        changes = {key: [getattr(locked, key), value] for key, value in fields.items()
                   if getattr(locked, key) != value}
        if changes:
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.save(update_fields=list(changes))
            audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                      changes=changes)
    return locked


def campaign_delete(*, actor: User, campaign: CareCampaign) -> None:
    """Delete a draft. Side effects: the row gone, an audit entry."""
    _ensure_may(actor, campaign.store_id)
    with transaction.atomic():
        locked = _locked_draft(campaign)
        audit_log(actor=actor, instance=locked, action=AuditAction.DELETE,
                  changes={"name": [locked.name, None]})
        locked.delete()


def campaign_send(*, actor: User, campaign: CareCampaign, now: dt.datetime) -> CareCampaign:
    """Send a draft, once: one outbox message to each owner of the segment who agreed to
    marketing messages, is not anonymised and is under the store's weekly limit.

    Side effects: the outbox rows (purpose "care_campaign"); the campaign sent, with the
    number of owners in the segment and of messages queued; an audit entry. A second send
    is refused (ValidationError with code "conflict") and writes nothing.
    """
    _ensure_may(actor, campaign.store_id)
    with transaction.atomic():
        locked = _locked_draft(campaign)
        limit = policy_for(locked.store).messages_per_week
        # Lock the owners' rows first, in one order: message_queue and customer_opt_out lock
        # the customer too, so a message queued or a "no" arriving meanwhile is decided
        # before or after this send, and the read below (a new statement) sees it.
        list(segment_customers(store=locked.store, now=now)
             .select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        rows = list(campaign_audience(campaign=locked, now=now, limit=limit)
                    .values("pk", "name", "consultant_name", "reason"))
        messages = [
            OutboundMessage(
                store_id=locked.store_id, customer_id=row["pk"], channel=MessageChannel.SMS,
                purpose=PURPOSE_CARE_CAMPAIGN, created_at=now,
                dedupe_key=dedupe_key(locked, row["pk"]),
                body=message_render(locked.template, name=row["name"],
                                    store=locked.store.name,
                                    consultant=row["consultant_name"]).strip())
            for row in rows if not row["reason"]
        ]
        # ignore_conflicts: the dedupe key is the last word on "never twice".
        OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
        queued = OutboundMessage.objects.filter(
            store_id=locked.store_id, dedupe_key__startswith=dedupe_key(locked, "")).count()
        locked.status, locked.sent_at, locked.sent_by = CampaignStatus.SENT, now, actor
        locked.recipients, locked.queued = len(rows), queued
        locked.save(update_fields=["status", "sent_at", "sent_by", "recipients", "queued"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [CampaignStatus.DRAFT, CampaignStatus.SENT],
                           "recipients": [0, len(rows)], "queued": [0, queued]},
                  reason=_("Campaign sent"))
    return locked
