"""The lead intake API (DESIGN §4): POST /api/v1/leads, and the API keys it accepts.

Checks run in the order that costs least for a bad request: method, key, rate, size,
JSON, fields. Every refusal is a JSON body `{"errors": {field: [messages]}}`; request-level
problems (key, size, rate, syntax) are reported under "__all__".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import secrets
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from dealership.enums import ConsentSource
from dealership.models import Store, User
from leads.enums import Channel
from leads.forms.intake import LeadIntakeForm
from leads.models import ApiKey, hash_api_key
from leads.services.capture import lead_capture

MAX_BODY_BYTES = 64 * 1024
KEY_PREFIX_LENGTH = 12
# Writing last_used_at on every call of a busy key would cost a row update per lead.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
ALL_ERRORS = "__all__"

logger = logging.getLogger(__name__)


# --- Keys -----------------------------------------------------------------------------------
def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (the key to show once, its prefix, its SHA-256 to store)."""
    key = "dlr_" + secrets.token_urlsafe(32)
    return key, key[:KEY_PREFIX_LENGTH], hash_api_key(key)


def api_key_create(*, store: Store, channel: str, name: str = "",
                   rate_limit_per_minute: int = 600, actor: User | None = None,
                   ) -> tuple[ApiKey, str]:
    """Create an API key for a store and channel. Returns (row, key); the key itself is
    never stored, only its prefix (to recognise it) and hash. Side effect: the key row."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel “%(channel)s”.")
                               % {"channel": channel}})
    for _attempt in range(3):  # a prefix clash is astronomically rare; retry anyway
        key, prefix, key_hash = new_api_key()
        api_key = ApiKey(store=store, channel=channel, name=name, prefix=prefix,
                         key_hash=key_hash, rate_limit_per_minute=rate_limit_per_minute,
                         created_by=actor)
        api_key.full_clean()
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:
            continue
        return api_key, key
    raise ValidationError(_("Could not create a unique key; try again."))


def _key_from_request(request: HttpRequest) -> ApiKey | None:
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    # The store's lead policy comes along: the new lead's first-contact deadline needs it.
    return (ApiKey.objects.select_related("store__lead_policy")
            .filter(key_hash=hash_api_key(token), revoked_at__isnull=True,
                    store__is_active=True).first())


def _touch_key(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


def _over_rate_limit(api_key: ApiKey) -> int | None:
    """Count this request in the key's current minute; seconds to wait if over the limit.

    add + incr are atomic in Redis, so concurrent workers share one counter.
    """
    now = time.time()
    bucket = f"lead-api-rate:{api_key.key_hash[:20]}:{int(now // 60)}"
    try:
        cache.add(bucket, 0, timeout=120)
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.set(bucket, 1, timeout=120)
            count = 1
    except Exception:  # the cache server is away (redis' ConnectionError, a timeout, ...)
        # Fail open: losing a website's leads for the whole outage costs more than a few
        # minutes without a rate limit; the key still has to be valid.
        logger.warning("lead API rate limit not checked (cache unavailable) for key %s",
                       api_key.prefix, exc_info=True)
        return None
    if count <= api_key.rate_limit_per_minute:
        return None
    return max(1, math.ceil(60 - now % 60))


# --- Responses ------------------------------------------------------------------------------
def _errors(status: int, errors: dict[str, list[str]], **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": errors}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    for header, value in headers.items():
        response[header.replace("_", "-")] = value
    return response


def _request_error(status: int, message: str, **headers: str) -> JsonResponse:
    return _errors(status, {ALL_ERRORS: [message]}, **headers)


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over the limit (declared or actually sent)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    if not declared and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # No Content-Length: Django's request stream is limited to 0 bytes, but the
        # server (gunicorn) has decoded the chunks into wsgi.input; read it, with the limit.
        stream = request.META.get("wsgi.input")
        body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    else:
        body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _parse_object(body: bytes) -> dict | None:
    try:
        data = json.loads(body.decode("utf-8"))
    # ValueError covers bad UTF-8, bad JSON and integers of thousands of digits;
    # RecursionError a body of deeply nested arrays.
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# --- The endpoint ---------------------------------------------------------------------------
@csrf_exempt
@never_cache
def lead_intake(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _request_error(405, _("Only POST is allowed here."), Allow="POST")
    api_key = _key_from_request(request)
    if api_key is None:
        return _request_error(401, _("Send a valid API key: “Authorization: Bearer <key>”."),
                              WWW_Authenticate='Bearer realm="leads"')
    _touch_key(api_key)
    if (wait := _over_rate_limit(api_key)) is not None:
        return _request_error(429, _("Too many requests for this key; retry in %(seconds)s "
                                     "seconds.") % {"seconds": wait}, Retry_After=str(wait))
    body = _read_body(request)
    if body is None:
        return _request_error(413, _("The body is larger than 64 KB."))
    data = _parse_object(body)
    if data is None:
        return _request_error(400, _("The body must be a JSON object in UTF-8."))
    form = LeadIntakeForm(data, key_channel=api_key.channel)
    if not form.is_valid():
        return _errors(400, {field: list(messages) for field, messages in form.errors.items()})
    return _capture(api_key, form.cleaned_data)


def _capture(api_key: ApiKey, fields: dict) -> JsonResponse:
    result = lead_capture(
        store=api_key.store, actor=None, name=fields["name"], phone=fields["phone"],
        channel=fields["channel"], external_id=fields["external_id"],
        model_interest=fields["model_interest"], purchase_window=fields["purchase_window"],
        budget_min=fields["budget_min"], budget_max=fields["budget_max"], city=fields["city"],
        note=fields["note"], marketing_consent=fields["marketing_consent"],
        consent_source=ConsentSource.API,
    )
    lead = result.lead
    payload = {"id": lead.pk, "grade": lead.grade,
               "owner": lead.owner.get_full_name() if lead.owner else None,
               "duplicate": result.duplicate}
    # A replayed external_id answers as the first request did: 200 if that was a duplicate.
    return JsonResponse(payload, status=200 if result.duplicate else 201,
                        json_dumps_params={"ensure_ascii": False})
