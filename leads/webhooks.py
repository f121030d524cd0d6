"""The SMS gateway's inbound webhook: POST /api/v1/sms/inbound.

The gateway forwards each text a customer sends to the store's number; a STOP word
("STOP", "T", "TD", "退订") withdraws their marketing consent (`inbound_sms_received`), which
suppresses every message still queued for them in the same transaction.

Only the gateway may call it. It signs each request with the shared secret
`LEADS_SMS_WEBHOOK_SECRET`: `X-Timestamp: <unix seconds>` and
`X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. The timestamp is
signed with the body, so a captured request cannot be replayed later with a fresh
timestamp; it must be within five minutes of our clock, and the same signature is taken
once. Answers: 503 when no secret is configured, 403 for a missing or wrong signature or
a stale timestamp (nothing changed), 413 over 16 KB, 400 for a body without `from` and
`text`, 200 `{"opted_out": n}` when handled (also when the text was no STOP word).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from leads.messaging import inbound_sms_received

MAX_BODY_BYTES = 16 * 1024
TIMESTAMP_WINDOW_SECONDS = 300
SIGNATURE_PREFIX = "sha256="

logger = logging.getLogger(__name__)


def sms_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The header value the gateway sends (and the tests compute)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def _fresh(timestamp: str) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(time.time() - sent) <= TIMESTAMP_WINDOW_SECONDS


def _replay_key(signature: str) -> str:
    return f"sms-webhook:{signature[-64:]}"


def _first_use(signature: str) -> bool:
    """True the first time a signature is seen within the window. The cache being away
    must not stop opt-outs: then every correctly signed, fresh request counts."""
    try:
        return bool(cache.add(_replay_key(signature), 1, timeout=2 * TIMESTAMP_WINDOW_SECONDS))
    except Exception:
        logger.warning("sms webhook: replay cache unavailable", exc_info=True)
        return True


def _forget_use(signature: str) -> None:
    """The request failed: the gateway's retry of it must not count as a replay."""
    try:
        cache.delete(_replay_key(signature))
    except Exception:
        logger.warning("sms webhook: replay cache unavailable", exc_info=True)


def _fields(request: HttpRequest, body: bytes) -> dict[str, str] | None:
    """`from` (or `phone`), `text` and an optional `store` code, from JSON or a form."""
    try:
        if request.content_type == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                return None
        else:
            data = QueryDict(body.decode("utf-8")).dict()
    except (ValueError, RecursionError):
        return None
    phone, text, store = data.get("from") or data.get("phone"), data.get("text"), data.get("store")
    if not isinstance(phone, str) or not isinstance(text, str) or not phone.strip():
        return None
    if store is not None and not isinstance(store, str):
        return None
    return {"phone": phone[:40], "text": text[:500], "store": (store or "")[:16]}


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@never_cache
def sms_inbound(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, _("Only POST is allowed here."))
        response["Allow"] = "POST"
        return response
    secret = settings.LEADS_SMS_WEBHOOK_SECRET
    if not secret:
        return _error(503, _("The SMS webhook is not configured."))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _error(413, _("The body is larger than 16 KB."))
    body = request.body
    timestamp = request.headers.get("X-Timestamp", "").strip()
    signature = request.headers.get("X-Signature", "").strip()
    expected = sms_signature(secret=secret, timestamp=timestamp, body=body)
    if not (signature and _fresh(timestamp)
            and hmac.compare_digest(signature.encode(), expected.encode())):
        return _error(403, _("Missing or wrong signature."))
    fields = _fields(request, body)
    if fields is None:
        return _error(400, _("Send the sender's number as “from” and the message as “text”."))
    if not _first_use(signature):
        return JsonResponse({"opted_out": 0, "replay": True})
    try:
        changes = inbound_sms_received(phone=fields["phone"], text=fields["text"],
                                       store_code=fields["store"])
    except Exception:
        _forget_use(signature)
        raise
    return JsonResponse({"opted_out": len(changes)})
