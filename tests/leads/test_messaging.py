"""Customer messages: queueing, the outbox, senders, consent and STOP, the Messages page."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry, Customer
from leads.enums import EventKind, LeadStatus, MessageStatus
from leads.messaging import (
    RETRY_AFTER,
    STUCK_AFTER,
    customer_opt_out,
    inbound_sms,
    message_queue,
    message_render,
    outbox_send_batch,
    outbox_stuck,
)
from leads.models import ConsentChange, LeadEvent, LeadPolicy, OutboundMessage
from leads.senders import BaseSender, DevelopmentSender, HttpSmsSender, SendError, get_sender
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory
from tests.helpers import HTMX
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

URL = "/leads/messages/"


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def consenting(store, consultant, now):
    return CustomerFactory(store=store, owner=consultant, name="张三丰", phone="+8613812345678",
                           marketing_consent=True, consent_at=now - dt.timedelta(days=30))


def queue(customer, now, key="k1", **kwargs) -> OutboundMessage | None:
    kwargs.setdefault("purpose", "reactivation")
    kwargs.setdefault("body", "【示范店】张三丰您好，欢迎回店试驾。回复T退订")
    return message_queue(customer=customer, dedupe_key=key, now=now, **kwargs)


def add(customer, key, created_at, **kwargs) -> OutboundMessage:
    """A message row as another part of the product (or an earlier week) left it."""
    kwargs.setdefault("purpose", "care")
    return OutboundMessage.objects.create(store_id=customer.store_id, customer=customer,
                                          body="您好", dedupe_key=key, created_at=created_at,
                                          **kwargs)


def statuses() -> list[tuple[str, str, int]]:
    return list(OutboundMessage.objects.order_by("pk").values_list("dedupe_key", "status",
                                                                   "attempts"))


# --- Queueing -------------------------------------------------------------------------------
def test_queue_a_message_to_a_consenting_customer(store, consultant, consenting, now):
    lead = LeadFactory(store=store, owner=consultant, customer=consenting)

    message = queue(consenting, now, lead=lead)

    assert OutboundMessage.objects.get() == message
    assert (message.store, message.customer, message.lead, message.status, message.channel) == (
        store, consenting, lead, MessageStatus.QUEUED, "sms")
    assert message.created_at == now
    assert list(lead.events.values_list("kind", "note", "data")) == [
        (EventKind.MESSAGE, message.body, {"purpose": "reactivation", "message": message.pk})]


def test_queue_refuses_without_consent(store, customer, now):
    assert queue(customer, now) is None
    assert OutboundMessage.objects.count() == 0


def test_queue_same_dedupe_key_returns_the_first_message(consenting, now):
    first = queue(consenting, now)

    again = queue(consenting, now + dt.timedelta(hours=1), body="另一条")

    assert again == first
    assert OutboundMessage.objects.count() == 1


def test_queue_refuses_over_the_weekly_limit(store, consenting, now):
    LeadPolicy.objects.create(store=store, messages_per_week=2)
    add(consenting, "old", now - dt.timedelta(days=8), status=MessageStatus.SENT)
    add(consenting, "a", now - dt.timedelta(days=3), status=MessageStatus.SENT)
    add(consenting, "b", now - dt.timedelta(days=2), status=MessageStatus.FAILED)

    assert queue(consenting, now, key="c") is None
    OutboundMessage.objects.filter(dedupe_key="b").update(status=MessageStatus.SUPPRESSED)
    assert queue(consenting, now, key="c").dedupe_key == "c"


@pytest.mark.parametrize("body", ["", "   ", "长" * 501])
def test_queue_refuses_an_empty_or_long_body(consenting, now, body):
    with pytest.raises(ValidationError) as refused:
        queue(consenting, now, body=body)

    assert refused.value.messages == ["A message has 1 to 500 characters."]
    assert OutboundMessage.objects.count() == 0


def test_render_fills_placeholders_and_keeps_other_braces():
    text = message_render("{name}您好，{consultant}在{store}等您 {name.__class__} {0}",
                          name="张三丰", store="示范店", consultant="王芳")

    assert text == "张三丰您好，王芳在示范店等您 {name.__class__} {0}"


# --- The outbox with the development sender --------------------------------------------------
def test_send_batch_sends_each_queued_message_once(consenting, now):
    first = queue(consenting, now, key="a")
    second = queue(consenting, now, key="b")

    assert outbox_send_batch(now=now) == {"sent": 2, "failed": 0, "suppressed": 0,
                                          "unknown": 0}

    assert list(OutboundMessage.objects.order_by("pk").values_list(
        "status", "sent_at", "provider_id", "attempts", "claimed_at")) == [
        ("sent", now, f"dev-{first.pk}", 1, now), ("sent", now, f"dev-{second.pk}", 1, now)]
    assert outbox_send_batch(now=now + dt.timedelta(minutes=1)) == {
        "sent": 0, "failed": 0, "suppressed": 0, "unknown": 0}
    assert statuses() == [("a", "sent", 1), ("b", "sent", 1)]


def test_send_batch_takes_at_most_the_limit_oldest_first(consenting, now):
    for minutes in (3, 1, 2):
        add(consenting, f"m{minutes}", now - dt.timedelta(minutes=minutes))

    outbox_send_batch(limit=2, now=now)

    assert dict(OutboundMessage.objects.values_list("dedupe_key", "status")) == {
        "m3": "sent", "m2": "sent", "m1": "queued"}


def test_send_batch_suppresses_a_message_whose_customer_opted_out_since(consenting, now):
    queue(consenting, now)
    Customer.objects.filter(pk=consenting.pk).update(marketing_consent=False, consent_at=None)

    assert outbox_send_batch(now=now)["suppressed"] == 1

    message = OutboundMessage.objects.get()
    assert (message.status, message.sent_at, message.error) == (
        "suppressed", None, "no consent at send time")


def test_default_sender_is_the_development_sender(settings):
    assert type(get_sender()) is DevelopmentSender
    settings.LEADS_MESSAGE_SENDER = "leads.senders.NoSuchSender"
    with pytest.raises(ImproperlyConfigured):
        get_sender()


# --- The HTTP sender against a fake gateway (the outside world) -------------------------------
class FakeGateway(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"headers": dict(self.headers), "json": json.loads(body)})
        status, answer, delay = self.server.reply
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    server.daemon_threads = True
    server.received, server.reply = [], (200, {"id": "gw-4711"}, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LEADS_MESSAGE_SENDER = "leads.senders.HttpSmsSender"
    settings.LEADS_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.LEADS_SMS_GATEWAY_KEY = "gw-secret"
    yield server
    server.shutdown()
    server.server_close()


def test_http_sender_posts_json_and_records_the_gateway_id(consenting, now, gateway):
    message = queue(consenting, now)

    assert outbox_send_batch(now=now)["sent"] == 1

    message.refresh_from_db()
    assert (message.status, message.provider_id, message.sent_at) == ("sent", "gw-4711", now)
    [request] = gateway.received
    assert request["json"] == {"to": "+8613812345678", "text": message.body, "channel": "sms",
                               "reference": f"outbox-{message.pk}"}
    assert request["headers"]["Authorization"] == "Bearer gw-secret"
    assert request["headers"]["Idempotency-Key"] == f"outbox-{message.pk}"


def test_http_sender_failure_is_recorded_and_retried_after_a_pause(consenting, now, gateway):
    queue(consenting, now)
    gateway.reply = (503, {"error": "busy"}, 0)

    assert outbox_send_batch(now=now)["failed"] == 1
    message = OutboundMessage.objects.get()
    assert (message.status, message.error, message.attempts, message.sent_at) == (
        "failed", "gateway answered HTTP 503", 1, None)

    assert outbox_send_batch(now=now + RETRY_AFTER - dt.timedelta(seconds=1))["failed"] == 0
    assert len(gateway.received) == 1

    gateway.reply = (200, {"id": "gw-2"}, 0)
    later = now + RETRY_AFTER
    assert outbox_send_batch(now=later)["sent"] == 1
    message.refresh_from_db()
    assert (message.status, message.error, message.attempts, message.provider_id) == (
        "sent", "", 2, "gw-2")
    assert len(gateway.received) == 2


def test_http_sender_gives_up_after_three_failures(consenting, now, gateway):
    queue(consenting, now)
    gateway.reply = (500, {}, 0)

    for attempt in range(5):
        outbox_send_batch(now=now + attempt * RETRY_AFTER)

    assert statuses() == [("k1", "failed", 3)]
    assert len(gateway.received) == 3


def test_http_sender_unreachable_gateway_is_a_failure(consenting, now, settings):
    settings.LEADS_MESSAGE_SENDER = "leads.senders.HttpSmsSender"
    settings.LEADS_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # discard port: refused
    queue(consenting, now)

    assert outbox_send_batch(now=now)["failed"] == 1
    assert OutboundMessage.objects.get().error.startswith("gateway not reached")


def test_http_sender_without_an_answer_leaves_the_message_for_a_person(consenting, now,
                                                                        gateway, settings):
    settings.LEADS_SMS_GATEWAY_TIMEOUT = 0.2
    gateway.reply = (200, {"id": "late"}, 1)
    queue(consenting, now, key="a")
    queue(consenting, now, key="b")

    assert outbox_send_batch(now=now) == {"sent": 0, "failed": 0, "suppressed": 0,
                                          "unknown": 1}

    # "a" may have gone out: it stays "sending" and is never sent again by itself; "b" was
    # never handed to the gateway and goes back to the queue.
    assert statuses() == [("a", "sending", 1), ("b", "queued", 0)]
    assert OutboundMessage.objects.get(dedupe_key="a").error.startswith("unknown outcome")
    gateway.reply = (200, {"id": "gw-b"}, 0)
    later = now + STUCK_AFTER + dt.timedelta(seconds=1)
    outbox_send_batch(now=later)
    outbox_send_batch(now=later + RETRY_AFTER)
    assert statuses() == [("a", "sending", 1), ("b", "sent", 1)]
    assert [r["json"]["reference"] for r in gateway.received].count(
        f"outbox-{OutboundMessage.objects.get(dedupe_key='a').pk}") == 1
    assert list(outbox_stuck(now=later).values_list("dedupe_key", flat=True)) == ["a"]
    assert list(outbox_stuck(now=now)) == []


def test_http_sender_needs_a_gateway_url(settings):
    settings.LEADS_SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        HttpSmsSender()


def test_send_error_is_an_exception_senders_raise():
    assert issubclass(SendError, Exception)


# --- Opting out ----------------------------------------------------------------------------
def test_opt_out_records_clears_consent_suppresses_and_tells_the_leads(store, consultant,
                                                                       consenting, now):
    open_lead = LeadFactory(store=store, owner=consultant, customer=consenting)
    won = LeadFactory(store=store, owner=consultant, customer=consenting, status=LeadStatus.WON)
    queue(consenting, now, key="queued")
    sent = queue(consenting, now, key="sent")
    OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)

    change = customer_opt_out(customer=consenting, source="staff", actor=consultant,
                              note="客户电话里要求", now=now)

    assert (change.customer, change.consent, change.source, change.actor, change.note) == (
        consenting, False, "staff", consultant, "客户电话里要求")
    consenting.refresh_from_db()
    assert (consenting.marketing_consent, consenting.consent_at) == (False, None)
    assert statuses() == [("queued", "suppressed", 0), ("sent", "sent", 0)]
    assert list(LeadEvent.objects.filter(kind=EventKind.OPT_OUT).values_list(
        "lead", "actor", "data")) == [(open_lead.pk, consultant.pk, {"source": "staff"})]
    assert won.events.filter(kind=EventKind.OPT_OUT).count() == 0
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(consenting.pk))
    assert entry.changes["marketing_consent"] == [True, False]


def test_opt_out_by_a_consultant_of_another_customer_is_refused(consenting, teammate):
    with pytest.raises(PermissionDenied):
        customer_opt_out(customer=consenting, source="staff", actor=teammate)
    assert ConsentChange.objects.count() == 0


@pytest.mark.parametrize("text", ["STOP", "stop", " T ", "td", "退订", "退订。", "T!"])
def test_inbound_stop_opts_the_customer_out(store, consenting, now, text):
    queue(consenting, now)

    change = inbound_sms(store=store, phone="138 1234 5678", text=text, now=now)

    assert (change.customer, change.consent, change.source, change.actor) == (
        consenting, False, "sms_reply", None)
    consenting.refresh_from_db()
    assert consenting.marketing_consent is False
    assert statuses() == [("k1", "suppressed", 0)]


@pytest.mark.parametrize(("phone", "text"), [
    ("13812345678", "好的，周六来"), ("13812345678", "STOP please"),
    ("13900000000", "STOP"), ("not a phone", "T"),
])
def test_inbound_other_replies_change_nothing(store, consenting, phone, text):
    assert inbound_sms(store=store, phone=phone, text=text) is None
    consenting.refresh_from_db()
    assert consenting.marketing_consent is True
    assert ConsentChange.objects.count() == 0


def test_inbound_stop_only_reaches_the_store_of_the_number(store, other_store, consenting):
    assert inbound_sms(store=other_store, phone="13812345678", text="T") is None
    consenting.refresh_from_db()
    assert consenting.marketing_consent is True


# --- The Messages page ----------------------------------------------------------------------
def make_messages(store, count, now) -> list[OutboundMessage]:
    rows = []
    for i in range(count):
        customer = CustomerFactory(store=store, name=f"客户{i}", phone=f"+861391234567{i}",
                                   marketing_consent=True, consent_at=now)
        rows.append(queue(customer, now - dt.timedelta(minutes=i), key=f"page-{i}"))
    return rows


def test_messages_page_lists_the_store_messages_with_masked_phones(login, manager, store,
                                                                   other_store, now):
    [message] = make_messages(store, 1, now)
    elsewhere = CustomerFactory(store=other_store, marketing_consent=True, consent_at=now)
    queue(elsewhere, now, key="elsewhere")

    response = login(manager).get(URL)

    assert response.status_code == 200
    assert [m.pk for m in response.context["page"].object_list] == [message.pk]
    body = response.content.decode()
    assert "139****5670" in body
    assert "+8613912345670" not in body and "13912345670" not in body
    assert message.body in body


@pytest.mark.parametrize("role", [Role.MARKETING, Role.ADMIN])
def test_messages_page_for_marketing_and_admin(login, make_user, store, now, role):
    make_messages(store, 2, now)

    response = login(make_user(role)).get(URL)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.RECEPTIONIST])
def test_messages_page_is_forbidden_to_other_roles(login, make_user, role):
    response = login(make_user(role)).get(URL)

    assert response.status_code == 403


def test_messages_page_needs_a_login(client):
    response = client.get(URL)

    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={URL}")


@pytest.mark.parametrize("count", [1, 3])
def test_messages_page_query_count(login, manager, store, now, count,
                                   django_assert_num_queries):
    make_messages(store, count, now)
    client = login(manager)

    with django_assert_num_queries(9):
        response = client.get(URL)

    assert len(response.context["page"].object_list) == count


def test_messages_page_filters_by_status_and_purpose(login, manager, store, now):
    first, second, third = make_messages(store, 3, now)
    OutboundMessage.objects.filter(pk=second.pk).update(status=MessageStatus.SENT)
    OutboundMessage.objects.filter(pk=third.pk).update(purpose="care")

    response = login(manager).get(URL, {"status": "queued", "purpose": "reactivation"},
                                  **HTMX)

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<div id="message-rows">')
    assert "<html" not in html
    assert [m.pk for m in response.context["page"].object_list] == [first.pk]
    assert "HX-Request" in [part.strip() for part in response["Vary"].split(",")]


def test_messages_page_rejects_an_unknown_status(login, manager, store, now):
    make_messages(store, 1, now)

    response = login(manager).get(URL, {"status": "exploded"})

    assert response.status_code == 400
    assert "exploded" in response.content.decode()


def test_messages_page_warns_of_stuck_messages(login, manager, store, now):
    [message] = make_messages(store, 1, now)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=now - STUCK_AFTER - dt.timedelta(minutes=1))
    manager.language = "en"
    manager.save(update_fields=["language"])

    response = login(manager).get(URL)

    assert response.context["stuck_count"] == 1
    assert "1 message was interrupted while being sent" in response.content.decode()


# --- The opt-out button -------------------------------------------------------------------
def opt_out_url(customer) -> str:
    return f"/leads/customers/{customer.pk}/opt-out/"


def test_opt_out_view_records_and_goes_back(login, manager, consenting):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client = login(manager)

    response = client.post(opt_out_url(consenting), {"next": "/leads/messages/?status=queued"})

    assert (response.status_code, response.url) == (302, "/leads/messages/?status=queued")
    consenting.refresh_from_db()
    assert consenting.marketing_consent is False
    assert list(ConsentChange.objects.values_list("customer", "source", "actor")) == [
        (consenting.pk, "staff", manager.pk)]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "张三丰 will get no more marketing messages."]


def test_opt_out_view_ignores_a_foreign_next_url(login, consultant, consenting):
    response = login(consultant).post(opt_out_url(consenting), {"next": "https://evil.example/"})

    assert (response.status_code, response.url) == (302, f"/customers/{consenting.pk}/")


def test_opt_out_view_is_refused_to_marketing(login, make_user, consenting):
    response = login(make_user(Role.MARKETING)).post(opt_out_url(consenting))

    assert response.status_code == 403
    assert ConsentChange.objects.count() == 0


def test_opt_out_view_hides_another_consultants_customer(login, teammate, consenting):
    response = login(teammate).post(opt_out_url(consenting))

    assert response.status_code == 404
    assert ConsentChange.objects.count() == 0


def test_opt_out_view_only_takes_posts(login, manager, consenting):
    response = login(manager).get(opt_out_url(consenting))

    assert response.status_code == 405


# --- Two outbox workers at once (PostgreSQL) ------------------------------------------------
class SlowRecordingGateway(BaseSender):
    """Stands for the SMS gateway: records what it was handed, slowly."""

    def __init__(self):
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message):
        time.sleep(0.01)
        with self.lock:
            self.sent.append(message.pk)
        return f"gw-{message.pk}"


def test_two_outbox_workers_send_each_message_once(transactional_db, store, now):
    require_postgres()
    customers = CustomerFactory.create_batch(40, store=store, marketing_consent=True,
                                             consent_at=now)
    for customer in customers:
        add(customer, f"race-{customer.pk}", now)
    gateway = SlowRecordingGateway()

    def worker():
        return outbox_send_batch(limit=25, now=now, sender=gateway)

    results = race(worker, worker)

    assert sorted(gateway.sent) == sorted(OutboundMessage.objects.values_list("pk", flat=True))
    assert sum(result["sent"] for result in results) == 40
    assert set(OutboundMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
