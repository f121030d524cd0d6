"""The SMS gateway's inbound webhook (POST /api/v1/sms/inbound): signed, fresh, once; a
STOP reply withdraws consent and suppresses what was queued."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.enums import MessageStatus
from leads.models import ConsentChange, OutboundMessage
from leads.webhooks import sms_signature
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("in_english")

SECRET = "webhook-test-secret"
URL = "/api/v1/sms/inbound"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.LEADS_SMS_WEBHOOK_SECRET = SECRET


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def subscriber(store, consultant):
    customer = CustomerFactory(store=store, owner=consultant, phone="+8613812345678",
                               marketing_consent=True, consent_at=timezone.now(),
                               consent_source="showroom_form")
    OutboundMessage.objects.create(store=store, customer=customer, purpose="reactivation",
                                   body="您好", dedupe_key="queued")
    return customer


def _post(client, body: bytes, *, content_type="application/json", secret=SECRET,
          timestamp: str | None = None, signature: str | None = None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    if signature is None:
        signature = sms_signature(secret=secret, timestamp=timestamp, body=body)
    return client.post(URL, data=body, content_type=content_type,
                       headers={"X-Timestamp": timestamp, "X-Signature": signature})


def _stop(phone="13812345678", text="T") -> bytes:
    return json.dumps({"from": phone, "text": text}).encode()


def _unchanged(customer) -> bool:
    customer.refresh_from_db()
    return (customer.marketing_consent is True and not ConsentChange.objects.exists()
            and OutboundMessage.objects.get().status == MessageStatus.QUEUED)


def test_url_is_the_api_path():
    assert reverse("api:sms_inbound") == URL


def test_signed_stop_reply_opts_out_and_suppresses_queued_messages(client, subscriber):
    response = _post(client, _stop())

    assert (response.status_code, response.json()) == (200, {"opted_out": 1})
    subscriber.refresh_from_db()
    assert subscriber.marketing_consent is False
    assert list(ConsentChange.objects.values_list("customer", "consent", "source")) == [
        (subscriber.pk, False, "sms_reply")]
    assert OutboundMessage.objects.get().status == MessageStatus.SUPPRESSED


def test_form_encoded_body_with_a_store_code_is_accepted(client, subscriber):
    body = urlencode({"from": "+86 138 1234 5678", "text": "退订", "store": "DEMO"}).encode()

    response = _post(client, body, content_type="application/x-www-form-urlencoded")

    assert (response.status_code, response.json()) == (200, {"opted_out": 1})
    assert OutboundMessage.objects.get().status == MessageStatus.SUPPRESSED


def test_other_text_changes_nothing(client, subscriber):
    response = _post(client, _stop(text="明天来看车"))

    assert (response.status_code, response.json()) == (200, {"opted_out": 0})
    assert _unchanged(subscriber)


def test_missing_signature_is_refused(client, subscriber):
    response = client.post(URL, data=_stop(), content_type="application/json")

    assert response.status_code == 403
    assert _unchanged(subscriber)


def test_wrong_secret_is_refused(client, subscriber):
    response = _post(client, _stop(), secret="not-the-secret")

    assert response.status_code == 403
    assert _unchanged(subscriber)


def test_body_changed_after_signing_is_refused(client, subscriber):
    timestamp = str(int(time.time()))
    signature = sms_signature(secret=SECRET, timestamp=timestamp,
                              body=_stop(text="hello"))

    response = _post(client, _stop(), timestamp=timestamp, signature=signature)

    assert response.status_code == 403
    assert _unchanged(subscriber)


def test_stale_timestamp_is_refused_even_when_signed(client, subscriber):
    response = _post(client, _stop(), timestamp=str(int(time.time()) - 301))

    assert response.status_code == 403
    assert _unchanged(subscriber)


def test_replayed_request_changes_nothing_more(client, subscriber):
    timestamp = str(int(time.time()))
    first = _post(client, _stop(), timestamp=timestamp)
    again = _post(client, _stop(), timestamp=timestamp)

    assert (first.json(), again.json()) == ({"opted_out": 1},
                                            {"opted_out": 0, "replay": True})
    assert ConsentChange.objects.count() == 1


@pytest.mark.parametrize("body", [b"not json", b"[]", json.dumps({"from": "138"}).encode(),
                                  json.dumps({"from": 138, "text": "T"}).encode()])
def test_bad_body_is_refused(client, subscriber, body):
    response = _post(client, body)

    assert response.status_code == 400
    assert _unchanged(subscriber)


def test_without_a_configured_secret_the_webhook_is_unavailable(client, settings, subscriber):
    settings.LEADS_SMS_WEBHOOK_SECRET = ""

    response = _post(client, _stop(), secret="anything")

    assert response.status_code == 503
    assert _unchanged(subscriber)


def test_get_is_not_allowed(client):
    response = client.get(URL)

    assert (response.status_code, response["Allow"]) == (405, "POST")
