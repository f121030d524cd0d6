"""POST /api/v1/leads and GET /api/v1/openapi.json (DESIGN §4 "Lead intake API")."""

from __future__ import annotations

import json
import types

import pytest
from django.test import RequestFactory
from django.utils import timezone

from dealership.enums import ConsentSource
from dealership.models import Customer
from leads.api import api_key_create, lead_intake
from leads.enums import Channel, EventKind, Grade, LeadStatus, PurchaseWindow
from leads.forms.intake import LeadIntakeForm
from leads.models import Lead, LeadEvent, LeadIntake, Notification
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads"
PHONE = "13912345678"
E164 = "+8613912345678"


@pytest.fixture
def api_key(store):
    return api_key_create(store=store, channel=Channel.WEBSITE, name="官网")


@pytest.fixture
def key(api_key):
    return api_key[1]


def body(**overrides) -> dict:
    data = {"name": "陈大文", "phone": PHONE, "channel": "website", "purchase_window": "3d",
            "model_interest": "凯美瑞", "budget_min": 150000, "budget_max": 200000,
            "city": "深圳", "note": "想周末来试驾"}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not ...}


def post(client, payload, key: str | None, *, language: str = "en", raw: bytes | None = None,
         **extra):
    headers = {"HTTP_ACCEPT_LANGUAGE": language, **extra}
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    data = raw if raw is not None else json.dumps(payload).encode()
    return client.generic("POST", URL, data, content_type="application/json", **headers)


def counts() -> tuple[int, int, int, int, int]:
    return (Customer.objects.count(), Lead.objects.count(), LeadEvent.objects.count(),
            LeadIntake.objects.count(), Notification.objects.count())


# --- 201 / 200 ------------------------------------------------------------------------------
def test_post_new_customer_creates_lead_and_answers_201(client, store, consultant, teammate,
                                                         key):
    response = post(client, body(), key)

    lead = Lead.objects.get()
    assert response.status_code == 201
    assert response.json() == {"id": lead.pk, "grade": "A", "owner": "王芳", "duplicate": False}
    assert (lead.store, lead.owner, lead.channel, lead.grade, lead.status) == (
        store, consultant, Channel.WEBSITE, Grade.A, LeadStatus.NEW)
    assert (lead.model_interest, lead.budget_min, lead.budget_max, lead.note) == (
        "凯美瑞", 150000, 200000, "想周末来试驾")
    customer = lead.customer
    assert (customer.name, customer.phone, customer.city, customer.owner) == (
        "陈大文", E164, "深圳", consultant)
    assert customer.marketing_consent is False


def test_post_without_consultant_on_duty_answers_owner_null(client, store, key):
    response = post(client, body(purchase_window=...), key)

    lead = Lead.objects.get()
    assert response.status_code == 201
    assert response.json() == {"id": lead.pk, "grade": "C", "owner": None, "duplicate": False}


def test_post_marketing_consent_records_api_as_source(client, store, consultant, key):
    response = post(client, body(marketing_consent=True), key)

    assert response.status_code == 201
    customer = Customer.objects.get()
    assert (customer.marketing_consent, customer.consent_source) == (True, ConsentSource.API)


def test_post_known_phone_answers_200_duplicate_and_keeps_one_customer(
        client, store, consultant, teammate, key):
    existing = Customer.objects.create(store=store, phone=E164, name="陈先生", owner=teammate)
    open_lead = LeadFactory(store=store, customer=existing, owner=teammate, grade=Grade.B)

    response = post(client, body(), key)

    assert response.status_code == 200
    assert response.json() == {"id": open_lead.pk, "grade": "B", "owner": "李强",
                               "duplicate": True}
    assert Customer.objects.filter(store=store).count() == 1
    assert Lead.objects.count() == 1
    assert list(open_lead.events.values_list("kind", flat=True)) == [EventKind.ENQUIRY]
    assert Notification.objects.get().user == teammate


@pytest.mark.parametrize("phones", [
    ["13912345678", "+86 139 1234 5678", "139-1234-5678", "+86-13912345678", "0086 139 1234 5678"],
])
def test_post_phone_in_different_formats_is_one_customer(client, store, consultant, key, phones):
    responses = [post(client, body(phone=phone), key) for phone in phones]

    lead = Lead.objects.get()
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    assert {r.json()["id"] for r in responses} == {lead.pk}
    assert list(Customer.objects.values_list("phone", flat=True)) == [E164]


@pytest.mark.parametrize("existing", [False, True])
def test_post_replayed_external_id_returns_first_result_and_writes_nothing(
        client, store, consultant, key, existing):
    if existing:
        Customer.objects.create(store=store, phone=E164, name="陈先生", owner=consultant)
    first = post(client, body(external_id="ah-1001"), key)
    before = counts()

    again = post(client, body(external_id="ah-1001", phone="13700001111", name="别人"), key)

    assert first.status_code == (200 if existing else 201)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert counts() == before


def test_post_same_external_id_on_another_store_is_a_new_lead(client, store, other_store,
                                                              consultant, outsider, key):
    _row, other_key = api_key_create(store=other_store, channel=Channel.WEBSITE)
    first = post(client, body(external_id="ah-1"), key)

    second = post(client, body(external_id="ah-1"), other_key)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["owner"] == "外店顾问"
    assert Lead.objects.filter(store=other_store).count() == 1


def test_post_updates_key_last_used(client, store, consultant, api_key):
    row, key = api_key

    post(client, body(), key)

    row.refresh_from_db()
    assert row.last_used_at is not None
    assert abs((timezone.now() - row.last_used_at).total_seconds()) < 60


def test_post_null_optional_fields_mean_not_given(client, store, consultant, key):
    payload = {"name": "陈大文", "phone": PHONE, "channel": "website", "external_id": None,
               "model_interest": None, "purchase_window": None, "budget_min": None,
               "budget_max": None, "city": None, "note": None, "marketing_consent": None}

    response = post(client, payload, key)

    lead = Lead.objects.get()
    assert response.status_code == 201
    assert response.json()["grade"] == "C"
    assert (lead.purchase_window, lead.budget_min, lead.note) == ("", None, "")


def test_post_unicode_names_and_unknown_fields_are_accepted(client, store, consultant, key):
    response = post(client, body(name="欧阳 娜娜 😀", utm_source="抖音", extra={"a": [1]}), key)

    assert response.status_code == 201
    assert Customer.objects.get().name == "欧阳 娜娜 😀"


# --- 400 ------------------------------------------------------------------------------------
FIELD_ERRORS = [
    ("name", ..., "This field is required."),
    ("name", "", "This field is required."),
    ("name", "   ", "This field is required."),
    ("name", None, "This field is required."),
    ("name", "张" * 51, "Ensure this value has at most 50 characters (it has 51)."),
    ("name", 123, "Enter a text (a JSON string)."),
    ("name", ["张三"], "Enter a text (a JSON string)."),
    ("name", "a\x00b", "Null characters are not allowed."),
    ("phone", ..., "This field is required."),
    ("phone", "", "This field is required."),
    ("phone", "12345", "“12345” is not a valid phone number."),
    ("phone", "call me", "“call me” is not a phone number."),
    ("phone", 13912345678, "Enter a text (a JSON string)."),
    ("phone", "1" * 41, "Ensure this value has at most 40 characters (it has 41)."),
    ("channel", ..., "This field is required."),
    ("channel", "tv", "Select a valid choice. tv is not one of the available choices."),
    ("channel", 3, "Enter one of the listed codes (a JSON string)."),
    ("channel", "vertical_media", "This API key sends leads of the channel “website” only."),
    ("external_id", "x" * 65, "Ensure this value has at most 64 characters (it has 65)."),
    ("model_interest", "车" * 101,
     "Ensure this value has at most 100 characters (it has 101)."),
    ("purchase_window", "1y", "Select a valid choice. 1y is not one of the available choices."),
    ("budget_min", -1, "Ensure this value is greater than or equal to 0."),
    ("budget_min", "150000", "Enter a whole number (a JSON integer)."),
    ("budget_min", 1.5, "Enter a whole number (a JSON integer)."),
    ("budget_min", True, "Enter a whole number (a JSON integer)."),
    ("budget_max", 10**30, "Ensure this value is less than or equal to 2147483647."),
    ("budget_max", 100000, "The budget's upper end is below its lower end."),
    ("city", "城" * 51, "Ensure this value has at most 50 characters (it has 51)."),
    ("note", "字" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
    ("marketing_consent", "yes", "Enter true or false (a JSON boolean)."),
    ("marketing_consent", 1, "Enter true or false (a JSON boolean)."),
]


@pytest.mark.parametrize(("field", "value", "message"), FIELD_ERRORS)
def test_post_invalid_field_answers_400_with_its_error(client, store, consultant, key,
                                                       field, value, message):
    response = post(client, body(**{field: value}), key)

    assert response.status_code == 400
    assert response.json() == {"errors": {field: [message]}}
    assert counts() == (0, 0, 0, 0, 0)


def test_post_lone_surrogate_answers_400(client, store, consultant, key):
    raw = json.dumps(body(name="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800").encode()

    response = post(client, None, key, raw=raw)

    assert response.status_code == 400
    assert response.json() == {"errors": {"name": ["The text contains invalid characters."]}}


def test_post_several_invalid_fields_reports_each(client, store, consultant, key):
    response = post(client, {"phone": "12", "budget_min": "a", "channel": "website"}, key)

    assert response.status_code == 400
    assert response.json() == {"errors": {
        "name": ["This field is required."],
        "phone": ["“12” is not a valid phone number."],
        "budget_min": ["Enter a whole number (a JSON integer)."],
    }}


@pytest.mark.parametrize("raw", [
    b"", b"not json", b"[]", b'[{"name": "a"}]', b'"text"', b"42", b"null", b"true",
    b'{"name": ', b"\xff\xfe{}", b"[" * 20_000 + b"]" * 20_000, b"1" * 5000,
    b'{"budget_min": ' + b"9" * 5000 + b"}", b"NaN",
], ids=["empty", "text", "array", "array-of-objects", "string", "number", "null", "bool",
        "truncated", "not-utf8", "deep-nesting", "huge-number", "huge-field", "nan"])
def test_post_body_not_a_json_object_answers_400(client, store, consultant, key, raw):
    response = post(client, None, key, raw=raw)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The body must be a JSON object in UTF-8."]}}
    assert counts() == (0, 0, 0, 0, 0)


def test_post_errors_follow_accept_language(client, store, consultant, key):
    response = post(client, body(name=...), key, language="zh-hans")

    assert response.status_code == 400
    assert response.json() == {"errors": {"name": ["这个字段是必填项。"]}}


# --- 401 ------------------------------------------------------------------------------------
def _assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="leads"'
    assert response.json() == {"errors": {"__all__": [
        "Send a valid API key: “Authorization: Bearer <key>”."]}}
    assert counts() == (0, 0, 0, 0, 0)


def test_post_without_key_answers_401(client, store, consultant):
    _assert_unauthorized(post(client, body(), None))


@pytest.mark.parametrize("header", ["Bearer dlr_wrong", "Basic dXNlcjpwYXNz", "Bearer", "dlr_x",
                                    "Bearer " + "x" * 5000])
def test_post_with_bad_key_answers_401(client, store, consultant, key, header):
    response = client.post(URL, body(), content_type="application/json",
                           HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")

    _assert_unauthorized(response)


def test_post_with_revoked_key_answers_401(client, store, consultant, api_key):
    row, key = api_key
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])

    _assert_unauthorized(post(client, body(), key))


def test_post_bearer_scheme_is_case_insensitive(client, store, consultant, key):
    response = client.post(URL, body(), content_type="application/json",
                           HTTP_AUTHORIZATION=f"bearer {key}")

    assert response.status_code == 201


# --- 413 ------------------------------------------------------------------------------------
TOO_BIG = {"errors": {"__all__": ["The body is larger than 64 KB."]}}


def test_post_body_over_64_kb_answers_413(client, store, consultant, key):
    raw = json.dumps(body(note="x" * (64 * 1024))).encode()

    response = post(client, None, key, raw=raw)

    assert response.status_code == 413
    assert response.json() == TOO_BIG
    assert counts() == (0, 0, 0, 0, 0)


def test_post_body_of_exactly_64_kb_is_read(client, store, consultant, key):
    raw = json.dumps(body()).encode()
    raw = raw[:-1] + b" " * (64 * 1024 - len(raw)) + b"}"

    response = post(client, None, key, raw=raw)

    assert len(raw) == 64 * 1024
    assert response.status_code == 201


def test_post_body_over_64_kb_without_content_length_answers_413(store, consultant, key):
    raw = json.dumps(body(note="x" * (64 * 1024))).encode()
    request = RequestFactory().post(URL, raw, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {key}")
    del request.META["CONTENT_LENGTH"]  # e.g. a chunked upload: only the bytes tell

    response = lead_intake(request)

    assert response.status_code == 413
    assert json.loads(response.content) == TOO_BIG


# --- 429 ------------------------------------------------------------------------------------
def test_post_over_the_key_rate_limit_answers_429(client, store, consultant, monkeypatch):
    _row, key = api_key_create(store=store, channel=Channel.WEBSITE, rate_limit_per_minute=3)
    minute = 1_900_000_020  # a whole minute since the epoch
    clock = types.SimpleNamespace(time=lambda: minute + 45.2)
    monkeypatch.setattr("leads.api.time", clock)  # the clock is the outside world

    statuses = [post(client, body(), key).status_code for _ in range(4)]
    refused = post(client, body(phone="13700001111"), key)
    clock.time = lambda: minute + 60.1  # the next minute starts a new count
    next_minute = post(client, body(phone="13700001111"), key)

    assert statuses == [201, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    assert refused.json() == {"errors": {"__all__": [
        "Too many requests for this key; retry in 15 seconds."]}}
    assert next_minute.status_code == 201
    assert Customer.objects.count() == 2


def test_rate_limit_is_per_key(client, store, consultant, monkeypatch):
    _row, first = api_key_create(store=store, channel=Channel.WEBSITE, rate_limit_per_minute=1)
    _row, second = api_key_create(store=store, channel=Channel.WEBSITE, rate_limit_per_minute=1)
    monkeypatch.setattr("leads.api.time", types.SimpleNamespace(time=lambda: 1_900_000_030.0))

    statuses = [post(client, body(), first).status_code, post(client, body(), second).status_code,
                post(client, body(), first).status_code]

    assert statuses == [201, 200, 429]


def test_lead_is_accepted_while_the_cache_server_is_down(client, store, consultant, key,
                                                         settings, caplog):
    """Issue 10 (#2): Redis away must not lose website leads; the limit fails open."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}

    response = post(client, body(), key)

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert response.json()["id"] == lead.pk
    assert "rate limit not checked" in caplog.text


# --- 405 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_other_methods_answer_405(client, store, key, method):
    response = client.generic(method, URL, HTTP_AUTHORIZATION=f"Bearer {key}",
                              HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "application/json"
    if method != "HEAD":
        assert response.json() == {"errors": {"__all__": ["Only POST is allowed here."]}}


# --- OpenAPI --------------------------------------------------------------------------------
def test_openapi_document_describes_the_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    doc = response.json()
    assert response.status_code == 200
    assert doc["openapi"] == "3.1.0"
    operation = doc["paths"]["/leads"]["post"]
    assert sorted(operation["responses"]) == ["200", "201", "400", "401", "405", "413", "429"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LeadIntake"}
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert set(operation["responses"]["401"]["headers"]) == {"WWW-Authenticate"}
    assert set(operation["responses"]["429"]["headers"]) == {"Retry-After"}
    assert doc["components"]["schemas"]["LeadResult"]["required"] == [
        "id", "grade", "owner", "duplicate"]


def test_openapi_schema_matches_the_form(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["LeadIntake"]
    form = LeadIntakeForm({}, key_channel="website")

    properties = schema["properties"]
    assert schema["required"] == ["name", "phone", "channel"]
    assert schema["required"] == [name for name, field in form.fields.items() if field.required]
    assert list(properties) == list(form.fields)
    assert properties["channel"]["enum"] == [
        "walk_in", "phone", "website", "vertical_media", "short_video", "referral", "partner",
        "event", "other"]
    assert properties["channel"]["enum"] == list(Channel.values)
    assert properties["purchase_window"]["enum"] == [*PurchaseWindow.values, None]
    assert {name: prop.get("maxLength") for name, prop in properties.items()} == {
        "name": 50, "phone": 40, "channel": None, "external_id": 64, "model_interest": 100,
        "purchase_window": None, "budget_min": None, "budget_max": None, "city": 50,
        "note": 1000, "marketing_consent": None}
    for name, prop in properties.items():
        assert prop.get("maxLength") == getattr(form.fields[name], "max_length", None)
    assert properties["name"]["minLength"] == 1
    assert (properties["budget_min"]["minimum"], properties["budget_min"]["maximum"]) == (
        0, 2147483647)
    assert properties["marketing_consent"] == {
        "type": ["boolean", "null"], "default": False,
        "description": "The customer agreed to receive marketing messages."}


def test_openapi_needs_no_key_and_only_reads(client):
    response = client.post("/api/v1/openapi.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert Customer.objects.count() == 0
