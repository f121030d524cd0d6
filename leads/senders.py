"""Where customer messages leave the building: one sender class per gateway.

`settings.LEADS_MESSAGE_SENDER` names the class. A sender's `send()` returns the
gateway's id for the message, raises `SendError` when the message was certainly not
sent, and lets anything else (a timeout after the request left) propagate: then nobody
knows whether the customer got it, and the outbox leaves the message for a person.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from dealership.masking import mask_phone
from leads.models import OutboundMessage

logger = logging.getLogger(__name__)


class SendError(Exception):
    """The gateway refused the message or was never reached: it was not sent."""


class DeliveryReport(models.TextChoices):
    """What the gateway says became of a message it may have been handed."""

    DELIVERED = "delivered", _("The gateway reports it delivered")
    FAILED = "failed", _("The gateway reports it not delivered")
    UNKNOWN = "unknown", _("The gateway has no report on it")


class BaseSender:
    def send(self, message: OutboundMessage) -> str:
        """Hand one message to the gateway; return the gateway's id for it."""
        raise NotImplementedError

    def delivery_report(self, message: OutboundMessage) -> str:
        """Ask the gateway what became of a message (a DeliveryReport value). A gateway
        without delivery reports answers UNKNOWN, and a person decides."""
        return DeliveryReport.UNKNOWN


class DevelopmentSender(BaseSender):
    """Sends nothing: logs the message. The outbox table is what the Messages page shows."""

    def send(self, message: OutboundMessage) -> str:
        logger.info("development sender: message %s to %s (%s): %s", message.pk,
                    mask_phone(message.customer.phone), message.purpose, message.body)
        return f"dev-{message.pk}"

    def delivery_report(self, message: OutboundMessage) -> str:
        # Logging never fails once it has started: whatever this sender was handed (the
        # outbox claimed it, so claimed_at is set), it "delivered".
        return DeliveryReport.DELIVERED if message.claimed_at else DeliveryReport.UNKNOWN


class HttpSmsSender(BaseSender):
    """POSTs JSON to an SMS gateway: {"to", "text", "channel", "reference"} → {"id"}.

    The reference doubles as an `Idempotency-Key` header, so a gateway that honours it
    drops a repeat even if a person re-queues a message whose fate was unknown.
    """

    def __init__(self, *, url: str | None = None, key: str | None = None,
                 timeout: float | None = None) -> None:
        self.url = url if url is not None else settings.LEADS_SMS_GATEWAY_URL
        self.key = key if key is not None else settings.LEADS_SMS_GATEWAY_KEY
        self.timeout = timeout if timeout is not None else settings.LEADS_SMS_GATEWAY_TIMEOUT
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                "LEADS_SMS_GATEWAY_URL must be an http(s) URL for the HttpSmsSender, "
                f"got {self.url!r}")

    def send(self, message: OutboundMessage) -> str:
        reference = f"outbox-{message.pk}"
        payload = {"to": message.customer.phone, "text": message.body,
                   "channel": message.channel, "reference": reference}
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": reference}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as error:
            # The gateway answered: it did not take the message.
            raise SendError(f"gateway answered HTTP {error.code}") from error
        except urllib.error.URLError as error:
            # urllib wraps only the errors of connecting and writing the request (a few
            # hundred bytes): the gateway never got it. A timeout or a dropped connection
            # while waiting for the answer is not wrapped and propagates: unknown outcome.
            raise SendError(f"gateway not reached: {error.reason}") from error
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        return str(data.get("id", "")) if isinstance(data, dict) else ""

    def delivery_report(self, message: OutboundMessage) -> str:
        # The gateway's JSON endpoint has no delivery-report call (yet): a person checks
        # its portal by the reference "outbox-<id>" and decides.
        return DeliveryReport.UNKNOWN


def get_sender() -> BaseSender:
    """The sender named by settings.LEADS_MESSAGE_SENDER."""
    path = settings.LEADS_MESSAGE_SENDER
    try:
        sender_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"LEADS_MESSAGE_SENDER {path!r} cannot be imported") from error
    return sender_class()
