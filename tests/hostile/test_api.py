"""The hostile-input battery over the JSON endpoints: the lead intake API (DESIGN §4) and the
SMS gateway's signed webhook. No 5xx; a refused request (4xx) writes nothing; an accepted
lead stores what was sent; the answer is always JSON, never a page that echoes the input."""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from dealership.models import Customer
from leads.api import api_key_create
from leads.models import Lead
from leads.webhooks import sms_signature
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.hostile import harness
from tests.hostile.payloads import ALL, api_bodies, field_value, generated_text

pytestmark = [
    pytest.mark.hostile, pytest.mark.django_db,
    # A 400 names the caller's own invalid phone back to them; the scanner cannot tell, as
    # the API reads its body as a stream (no request.body to compare with).
    pytest.mark.allow_full_pii("the lead API echoes the caller's own input in its errors"),
]

EXAMPLES = int(os.environ.get("HOSTILE_API_EXAMPLES", "150"))
BATTERY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
WEBHOOK_SECRET = "hostile-webhook-secret"


@pytest.fixture
def api_key(db) -> str:
    store = StoreFactory(code="DEMO", name="示范店")
    UserFactory(username="con", role="consultant", store=store)  # someone to route to
    CustomerFactory(store=store, phone="+8613900000000")  # a phone that is a duplicate
    _row, key = api_key_create(store=store, channel="website")
    return key


def _check_stored(data: dict, answer: dict) -> None:
    """What an accepted lead stored is what was sent (after the form's normalising)."""
    lead = Lead.objects.select_related("customer").get(pk=answer["id"])
    if isinstance(data.get("note"), str) and not answer["duplicate"]:
        assert lead.note == data["note"].strip()
    if isinstance(data.get("name"), str) and not answer["duplicate"]:
        assert lead.customer.name == data["name"].strip()


@given(sent=api_bodies(), auth=st.sampled_from(["good", "good", "good", "none", "bad"]))
@BATTERY
def test_lead_api_survives_hostile_bodies(api_key, client, sent, auth):
    headers = {"good": {"HTTP_AUTHORIZATION": f"Bearer {api_key}"},
               "bad": {"HTTP_AUTHORIZATION": "Bearer dlr_" + "x" * 43}, "none": {}}[auth]
    body, content_type = sent
    note(f"{auth} key, {content_type}: {body[:300]!r}")
    with harness.rolled_back():
        counts = harness.row_counts()

        response = client.post("/api/v1/leads", body, content_type=content_type, **headers)

        assert response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
        answer = response.json()
        if response.status_code >= 400:
            assert set(answer) == {"errors"}
            assert harness.row_counts() == counts
        else:
            assert response.status_code in (200, 201)
            assert set(answer) == {"id", "grade", "owner", "duplicate"}
            _check_stored(json.loads(body), answer)


@given(name=field_value("王小明"), phone=st.one_of(st.sampled_from(ALL), generated_text))
@BATTERY
def test_lead_api_replay_answers_like_the_first(api_key, client, name, phone):
    """The same (channel, external_id) twice: the second answer repeats the first."""
    body = json.dumps({"name": name, "phone": phone, "channel": "website",
                       "external_id": "replay-1"})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    with harness.rolled_back():
        first = client.post("/api/v1/leads", body, content_type="application/json", **auth)
        counts = harness.row_counts()
        second = client.post("/api/v1/leads", body, content_type="application/json", **auth)

        assert first.status_code < 500
        if first.status_code in (200, 201):
            assert (second.status_code, second.json()) == (first.status_code, first.json())
            assert harness.row_counts() == counts


@pytest.fixture
def webhook(settings, api_key):
    settings.LEADS_SMS_WEBHOOK_SECRET = WEBHOOK_SECRET


@st.composite
def sms_requests(draw):
    fields = {"from": draw(st.one_of(st.just("+8613900000000"), field_value("13900000000"))),
              "text": draw(st.one_of(st.sampled_from(["TD", "退订", "STOP"]), field_value("hi"))),
              "store": draw(st.one_of(st.just("DEMO"), st.none(), field_value("DEMO")))}
    for name in list(fields):
        if draw(st.integers(0, 5)) == 0:
            del fields[name]
    if draw(st.booleans()):
        from urllib.parse import urlencode
        return urlencode({k: v for k, v in fields.items() if v is not None}).encode(), \
            "application/x-www-form-urlencoded", draw(st.sampled_from(["good", "good", "bad"]))
    return json.dumps(fields).encode(), "application/json", \
        draw(st.sampled_from(["good", "good", "bad", "stale"]))


@given(sent=sms_requests())
@BATTERY
def test_sms_webhook_survives_hostile_bodies(webhook, client, sent):
    body, content_type, signing = sent
    stamp = str(int(time.time()) - (3600 if signing == "stale" else 0))
    signature = sms_signature(secret=WEBHOOK_SECRET if signing != "bad" else "nope",
                              timestamp=stamp, body=body)
    note(f"{signing}, {content_type}: {body[:300]!r}")
    with harness.rolled_back():
        counts = harness.row_counts()
        consents = list(Customer.objects.values_list("pk", "marketing_consent"))

        response = client.post("/api/v1/sms/inbound", body, content_type=content_type,
                               HTTP_X_TIMESTAMP=stamp, HTTP_X_SIGNATURE=signature)

        assert response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
        if response.status_code >= 400:
            assert harness.row_counts() == counts
            assert list(Customer.objects.values_list("pk", "marketing_consent")) == consents
        if signing != "good":
            assert response.status_code == 403
