"""Customer messages: queue, send through the outbox, and honour "no" (consent and STOP).

A message is queued as a row (`OutboundMessage`, status "queued"); the outbox worker
claims rows atomically ("sending"), checks consent once more, hands each to the
configured sender and records the outcome ("sent" / "failed"). A row left in "sending"
is never picked up again automatically: it was maybe sent, and a retry could send it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.permissions import can_edit_customer, has_role
from dealership.services.audit import audit_changes
from dealership.validators import normalize_phone
from leads.enums import OPEN_STATUSES, EventKind, MessageChannel, MessageStatus
from leads.models import ConsentChange, Lead, LeadEvent, OutboundMessage
from leads.privacy import messages_suppress_unsent
from leads.selectors.policy import policy_for
from leads.senders import BaseSender, SendError, get_sender

logger = logging.getLogger(__name__)

# Purposes of the messages this stage queues, with their labels for the Messages page.
PURPOSE_REACTIVATION = "reactivation"
PURPOSE_LABELS = {PURPOSE_REACTIVATION: gettext_lazy("Reactivation")}

BODY_MAX_LENGTH = 500
THROTTLE_WINDOW = dt.timedelta(days=7)
# Failed = the gateway certainly did not take it, so trying again cannot send it twice.
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=10)
# A message "sending" for longer than this was interrupted mid-send: a person decides.
STUCK_AFTER = dt.timedelta(minutes=10)

# Replies that mean "no more messages" (T/TD/退订 are the Chinese carriers' convention).
STOP_WORDS = frozenset({"STOP", "T", "TD", "退订"})
SOURCE_SMS_REPLY = "sms_reply"
SOURCE_STAFF = "staff"

_PLACEHOLDER = re.compile(r"\{(name|store|consultant)\}")
_REPLY_NOISE = re.compile(r"[\s.,!?。，！？、]+")


def message_render(template: str, *, name: str, store: str, consultant: str) -> str:
    """Fill {name}, {store} and {consultant}. Anything else in braces stays as typed:
    the template is edited by staff, so it is never handed to str.format()."""
    values = {"name": name, "store": store, "consultant": consultant}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)[:BODY_MAX_LENGTH]


def counted_messages(now: dt.datetime) -> QuerySet[OutboundMessage]:
    """The messages that count against the weekly limit: not suppressed, in the window."""
    return OutboundMessage.objects.filter(created_at__gt=now - THROTTLE_WINDOW).exclude(
        status=MessageStatus.SUPPRESSED)


def message_queue(
    *, customer: Customer, lead: Lead | None = None, purpose: str, body: str,
    dedupe_key: str, now: dt.datetime, channel: str = MessageChannel.SMS,
) -> OutboundMessage | None:
    """Queue one message to a customer. The same dedupe_key again returns the first row.

    Refuses (returns None) when the customer has not agreed to marketing messages or has
    already been sent the store's weekly number. Side effects: the message row, and a
    MESSAGE event on the lead's timeline when a lead is given.
    """
    body = body.strip()
    if not body or len(body) > BODY_MAX_LENGTH:
        raise ValidationError(_("A message has 1 to %(max)d characters.")
                              % {"max": BODY_MAX_LENGTH})
    with transaction.atomic():
        existing = OutboundMessage.objects.filter(store_id=customer.store_id,
                                                  dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
        # The customer's row lock orders this against an opt-out arriving at the same time.
        locked = (Customer.objects.select_for_update(of=("self",)).select_related("store")
                  .get(pk=customer.pk))
        if not locked.marketing_consent or locked.anonymised_at is not None:
            return None
        policy = policy_for(locked.store)
        if (counted_messages(now).filter(store_id=locked.store_id, customer=locked).count()
                >= policy.messages_per_week):
            return None
        try:
            with transaction.atomic():
                message = OutboundMessage.objects.create(
                    store_id=locked.store_id, customer=locked, lead=lead, channel=channel,
                    purpose=purpose, body=body, dedupe_key=dedupe_key, created_at=now)
        except IntegrityError:  # queued a moment ago by someone else: theirs stands
            return OutboundMessage.objects.get(store_id=locked.store_id, dedupe_key=dedupe_key)
        if lead is not None:
            LeadEvent.objects.create(store_id=lead.store_id, lead=lead, kind=EventKind.MESSAGE,
                                     note=body, created_at=now,
                                     data={"purpose": purpose, "message": message.pk})
    return message


def _claim(*, limit: int, now: dt.datetime) -> list[int]:
    """Move up to `limit` sendable rows to "sending" in one transaction and return them.

    SKIP LOCKED: a second worker claims other rows instead of waiting for these, and
    never the same ones. Failed rows come back after a pause, a few times.
    """
    sendable = Q(status=MessageStatus.QUEUED) | Q(
        status=MessageStatus.FAILED, attempts__lt=MAX_ATTEMPTS,
        claimed_at__lte=now - RETRY_AFTER)
    # Every store by name: the status index leads with the store, so (store, status) pairs
    # reach the few unsent rows instead of a scan of the whole history.
    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.filter(sendable, store_id__in=stores)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundMessage.objects.filter(pk__in=ids).filter(sendable).update(
                status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1,
                error="")
    return ids


def _finish(message: OutboundMessage, **fields) -> None:
    # Only a row still "sending" moves on: its claim is the licence to record an outcome.
    OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**fields)


def _send_one(message: OutboundMessage, sender: BaseSender, now: dt.datetime) -> str:
    if not Customer.objects.filter(pk=message.customer_id, marketing_consent=True,
                                   anonymised_at__isnull=True).exists():
        _finish(message, status=MessageStatus.SUPPRESSED, error="no consent at send time")
        return "suppressed"
    try:
        provider_id = sender.send(message)
    except SendError as error:
        _finish(message, status=MessageStatus.FAILED, error=str(error)[:255])
        return "failed"
    except Exception as error:
        # Maybe sent, maybe not: it stays "sending" and shows as stuck for a person.
        logger.exception("outbox: message %s has an unknown outcome", message.pk)
        _finish(message, error=f"unknown outcome: {error}"[:255])
        return "unknown"
    _finish(message, status=MessageStatus.SENT, sent_at=now, provider_id=provider_id[:100])
    return "sent"


def _release(ids: list[int]) -> None:
    """Give claimed rows that were never handed to the sender back to the queue."""
    if ids:
        OutboundMessage.objects.filter(pk__in=ids, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED, attempts=F("attempts") - 1)


def outbox_send_batch(*, limit: int = 50, now: dt.datetime, sender: BaseSender | None = None,
                      deadline: float | None = None) -> dict[str, int]:
    """Claim up to `limit` messages and send each at most once. Returns counts per outcome.

    Sending happens outside any transaction (no row lock held over a network call); the
    claim already made the rows this worker's alone. After an unknown outcome (the gateway
    stopped answering), or past `deadline` (time.monotonic()), the rest of the batch goes
    back to the queue untouched.
    """
    ids = _claim(limit=limit, now=now)
    counts = {"sent": 0, "failed": 0, "suppressed": 0, "unknown": 0}
    if not ids:
        return counts
    sender = sender or get_sender()
    claimed = list(OutboundMessage.objects.filter(pk__in=ids).select_related("customer")
                   .order_by("created_at", "pk"))
    handed = 0
    try:
        for message in claimed:
            if deadline is not None and time.monotonic() > deadline:
                break
            handed += 1
            outcome = _send_one(message, sender, now)
            counts[outcome] += 1
            if outcome == "unknown":
                break
    finally:
        _release([message.pk for message in claimed[handed:]])
    return counts


def outbox_stuck(*, now: dt.datetime,
                 messages: QuerySet[OutboundMessage] | None = None) -> QuerySet[OutboundMessage]:
    """Messages interrupted mid-send (claimed, no outcome recorded): a person must check
    with the gateway whether they went out before anything sends them again."""
    messages = OutboundMessage.objects.all() if messages is None else messages
    return messages.filter(status=MessageStatus.SENDING, claimed_at__lt=now - STUCK_AFTER)


# --- Consent ------------------------------------------------------------------------------
def customer_opt_out(*, customer: Customer, source: str, actor: User | None = None,
                     note: str = "", now: dt.datetime | None = None) -> ConsentChange:
    """The customer wants no more marketing messages. Every "no" is recorded, also a repeat.

    Side effects: a ConsentChange row; the customer's consent cleared (audited); their
    unsent messages (queued, or failed and due for a retry) suppressed; an OPT_OUT event
    on each of their open leads.
    """
    if actor is not None and not can_edit_customer(actor, customer):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        change = ConsentChange.objects.create(store_id=locked.store_id, customer=locked,
                                              consent=False, source=source,
                                              note=note[:200], actor=actor, created_at=now)
        if locked.marketing_consent or locked.consent_at:
            locked.marketing_consent, locked.consent_at, locked.consent_source = False, None, ""
            locked.save(update_fields=["marketing_consent", "consent_at", "consent_source",
                                       "updated_at"])
            audit_changes(actor=actor, instance=locked, reason=_("Opted out of marketing"))
        messages_suppress_unsent([locked.pk])
        open_leads = Lead.objects.filter(customer=locked, status__in=OPEN_STATUSES)
        LeadEvent.objects.bulk_create([
            LeadEvent(store_id=store_id, lead_id=lead_id, kind=EventKind.OPT_OUT, actor=actor,
                      note=note, data={"source": source}, created_at=now)
            for lead_id, store_id in open_leads.values_list("pk", "store_id")
        ])
    customer.marketing_consent, customer.consent_at, customer.consent_source = False, None, ""
    return change


def is_stop_reply(text: str) -> bool:
    return _REPLY_NOISE.sub("", text or "").upper() in STOP_WORDS


def inbound_sms(*, store: Store, phone: str, text: str,
                now: dt.datetime | None = None) -> ConsentChange | None:
    """A text a customer sent to the store's number. A STOP word opts them out; anything
    else, or a number that is no customer of the store, changes nothing (None)."""
    if not is_stop_reply(text):
        return None
    try:
        e164 = normalize_phone(phone)
    except ValidationError:
        return None
    customer = Customer.objects.filter(store=store, phone=e164).first()
    if customer is None:
        return None
    return customer_opt_out(customer=customer, source=SOURCE_SMS_REPLY, note=text.strip(),
                            now=now)


def inbound_sms_received(*, phone: str, text: str, store_code: str = "",
                         now: dt.datetime | None = None) -> list[ConsentChange]:
    """A text from the gateway's webhook. With a store code, as `inbound_sms` for that
    store; without one (a group-wide sender number), a STOP opts the number out at every
    store where it is a customer: honouring a "no" too widely is the safe side."""
    if not is_stop_reply(text):
        return []
    stores = Store.objects.filter(is_active=True)
    if store_code:
        stores = stores.filter(code=store_code)
    try:
        e164 = normalize_phone(phone)
    except ValidationError:
        return []
    changes = []
    for store in stores.filter(customers__phone=e164).distinct():
        change = inbound_sms(store=store, phone=e164, text=text, now=now)
        if change is not None:
            changes.append(change)
    return changes


# --- Reads for the Messages page -------------------------------------------------------
MESSAGE_ROLES = (Role.MANAGER, Role.MARKETING, Role.ADMIN)


def register_message_purpose(*, code: str, label) -> None:
    """A later stage names the purpose of the messages it queues (the Messages page shows
    the label); called from its AppConfig.ready(). The same code twice keeps the first."""
    PURPOSE_LABELS.setdefault(code, label)


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose))


class MessageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"),
                                         choices=MessageStatus.choices,
                                         empty_label=gettext_lazy("Any status"))
    purpose = django_filters.ChoiceFilter(label=gettext_lazy("Purpose"), choices=(),
                                          empty_label=gettext_lazy("Any purpose"))
    stuck = django_filters.BooleanFilter(
        label=gettext_lazy("Stuck in sending only"), method="filter_stuck",
        widget=forms.CheckboxInput)

    class Meta:
        model = OutboundMessage
        fields = ["status", "purpose", "stuck"]

    def filter_stuck(self, queryset, name, value):
        return outbox_stuck(now=timezone.now(), messages=queryset) if value else queryset

    def __init__(self, *args, purposes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["purpose"].extra["choices"] = [(p, purpose_label(p)) for p in purposes]


def message_scope_for_user(user: User) -> QuerySet[OutboundMessage]:
    if has_role(user, Role.ADMIN):
        return OutboundMessage.objects.all()
    if user.store_id is None or not has_role(user, *MESSAGE_ROLES):
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.filter(store_id=user.store_id)


def message_list_for_user(*, user: User, params) -> tuple[MessageFilter, QuerySet]:
    """The Messages screen: (filterset, rows newest first, with their customer)."""
    scope = message_scope_for_user(user)
    purposes = list(scope.order_by("purpose").values_list("purpose", flat=True).distinct())
    filterset = MessageFilter(params or None, queryset=scope.select_related("customer"),
                              purposes=purposes)
    return filterset, filterset.qs.order_by("-created_at", "-pk")
