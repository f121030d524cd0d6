"""A person settles a customer message left "sending" (issue 14, item 15).

The outbox never sends such a message again by itself: the gateway stopped answering
while it had the message, so the customer may or may not have it. A manager (or
marketing, who own the Messages page) asks the gateway's delivery report, then marks it
sent or puts it back in the queue. The report is asked outside any transaction (no row
lock over a network call) and checked once more against the decision.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import User
from dealership.services.audit import audit_log
from leads.enums import MessageStatus
from leads.messaging import STUCK_AFTER, message_scope_for_user
from leads.models import OutboundMessage
from leads.senders import BaseSender, DeliveryReport, get_sender

CONFLICT = "conflict"


def is_message_stuck(message: OutboundMessage, now: dt.datetime) -> bool:
    """Sending since longer than STUCK_AFTER: the worker's send was interrupted."""
    return (message.status == MessageStatus.SENDING and message.claimed_at is not None
            and message.claimed_at < now - STUCK_AFTER)


def message_delivery_report(*, message: OutboundMessage, sender: BaseSender | None = None
                            ) -> str:
    """The gateway's answer for one message (a DeliveryReport value)."""
    return (sender or get_sender()).delivery_report(message)


def _settle(*, message: OutboundMessage, actor: User, to: str, refused_report: str,
            refusal: str, sender: BaseSender | None, now: dt.datetime | None) -> OutboundMessage:
    if not message_scope_for_user(actor).filter(pk=message.pk).exists():
        raise PermissionDenied
    report = message_delivery_report(message=message, sender=sender)
    now = now or timezone.now()
    with transaction.atomic():
        locked = OutboundMessage.objects.select_for_update(of=("self",)).get(pk=message.pk)
        if locked.status != MessageStatus.SENDING:
            raise ValidationError(
                _("This message is no longer being sent (it is “%(status)s” now): someone "
                  "has settled it already.") % {"status": locked.get_status_display()},
                code=CONFLICT)
        if not is_message_stuck(locked, now):
            raise ValidationError(
                _("This message is still being sent. Wait %(minutes)d minutes after it was "
                  "handed to the gateway before settling it.")
                % {"minutes": STUCK_AFTER // dt.timedelta(minutes=1)}, code=CONFLICT)
        if report == refused_report:
            raise ValidationError(refusal, code=CONFLICT)
        before = locked.status
        locked.status, locked.error = to, ""
        fields = ["status", "error"]
        if to == MessageStatus.SENT:
            # Handed to the gateway at the claim: the best known time it went out.
            locked.sent_at = locked.claimed_at
            fields.append("sent_at")
        locked.save(update_fields=fields)
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [before, to], "delivery_report": report},
                  reason=_("Message left sending, settled by hand"))
    return locked


def message_mark_sent(*, message: OutboundMessage, actor: User,
                      sender: BaseSender | None = None,
                      now: dt.datetime | None = None) -> OutboundMessage:
    """sending (stuck) → sent, after asking the gateway's delivery report.

    Refused (ValidationError, code "conflict") when the message is not "sending", has been
    sending for less than STUCK_AFTER, or the gateway reports it not delivered.
    Side effects: the message's status and sent_at; an audit row with the report.
    """
    return _settle(message=message, actor=actor, to=MessageStatus.SENT,
                   refused_report=DeliveryReport.FAILED,
                   refusal=_("The gateway reports this message not delivered: put it back "
                             "in the queue instead."),
                   sender=sender, now=now)


def message_requeue(*, message: OutboundMessage, actor: User,
                    sender: BaseSender | None = None,
                    now: dt.datetime | None = None) -> OutboundMessage:
    """sending (stuck) → queued, after asking the gateway's delivery report; the outbox
    sends it on its next run (the HTTP gateway drops a repeat by its idempotency key).

    Refused (ValidationError, code "conflict") when the message is not "sending", has been
    sending for less than STUCK_AFTER, or the gateway reports it delivered (sending it
    again would reach the customer twice). Side effects: the message's status; an audit
    row with the report.
    """
    return _settle(message=message, actor=actor, to=MessageStatus.QUEUED,
                   refused_report=DeliveryReport.DELIVERED,
                   refusal=_("The gateway reports this message delivered: mark it sent "
                             "instead; sending it again would reach the customer twice."),
                   sender=sender, now=now)
