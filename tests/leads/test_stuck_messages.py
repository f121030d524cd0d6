"""Issue 14, item 15: a customer message stuck in "sending" after a gateway timeout is
settled by a person (marked sent or put back in the queue) after the gateway's delivery
report is asked; audited, refused when not stuck, safe when two people click at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import MessageStatus
from leads.messaging import outbox_send_batch
from leads.models import OutboundMessage
from leads.senders import BaseSender, DeliveryReport, DevelopmentSender, HttpSmsSender
from leads.services.messages import message_mark_sent, message_requeue
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

URL = "/leads/messages/"
SENDER = "tests.leads.test_stuck_messages."


class Gateway(BaseSender):
    """Stands for the SMS gateway: answers a fixed delivery report, records what it sends."""

    answer = DeliveryReport.UNKNOWN
    sent: list[int] = []

    def send(self, message):
        self.sent.append(message.pk)
        return f"gw-{message.pk}"

    def delivery_report(self, message):
        return self.answer


class DeliveredGateway(Gateway):
    answer = DeliveryReport.DELIVERED


class FailedGateway(Gateway):
    answer = DeliveryReport.FAILED


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def unknown_gateway(settings):
    settings.LEADS_MESSAGE_SENDER = SENDER + "Gateway"


def stuck(store, now, *, minutes: int = 11, status=MessageStatus.SENDING, key="s1",
          name="张三丰") -> OutboundMessage:
    customer = CustomerFactory(store=store, name=name, marketing_consent=True, consent_at=now)
    return OutboundMessage.objects.create(
        store_id=store.pk, customer=customer, purpose="reactivation", body="您好",
        dedupe_key=key, created_at=now - dt.timedelta(minutes=minutes + 1), status=status,
        claimed_at=now - dt.timedelta(minutes=minutes), attempts=1,
        error="unknown outcome: timed out")


def row(message) -> tuple:
    message.refresh_from_db()
    return (message.status, message.sent_at, message.error, message.attempts)


# --- The gateways' delivery reports -----------------------------------------------------------
def test_development_gateway_reports_what_it_was_handed_as_delivered(store, now):
    handed = stuck(store, now)
    never = stuck(store, now, key="s2", status=MessageStatus.QUEUED)
    never.claimed_at = None

    assert [DevelopmentSender().delivery_report(m) for m in (handed, never)] == [
        "delivered", "unknown"]


def test_http_gateway_has_no_delivery_report(store, now):
    sender = HttpSmsSender(url="https://sms.example.com/send", key="k", timeout=1)

    assert sender.delivery_report(stuck(store, now)) == "unknown"


# --- Mark as sent -----------------------------------------------------------------------------
def test_mark_sent_settles_a_stuck_message_and_audits_it(store, manager, now):
    message = stuck(store, now)
    claimed = message.claimed_at

    message_mark_sent(message=message, actor=manager, now=now)

    assert row(message) == ("sent", claimed, "", 1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id, entry.changes) == (
        AuditAction.UPDATE, manager, str(message.pk),
        {"status": ["sending", "sent"], "delivery_report": "unknown"})


def test_mark_sent_when_the_gateway_reports_it_not_delivered_is_refused(store, manager, now):
    message = stuck(store, now)

    with pytest.raises(ValidationError) as refused:
        message_mark_sent(message=message, actor=manager, now=now, sender=FailedGateway())

    assert (refused.value.code, refused.value.messages) == ("conflict", [
        "The gateway reports this message not delivered: put it back in the queue instead."])
    assert row(message) == ("sending", None, "unknown outcome: timed out", 1)
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("status", [MessageStatus.SENT, MessageStatus.QUEUED,
                                    MessageStatus.FAILED])
def test_mark_sent_of_a_message_not_sending_is_refused(store, manager, now, status):
    message = stuck(store, now, status=status)

    with pytest.raises(ValidationError) as refused:
        message_mark_sent(message=message, actor=manager, now=now)

    assert refused.value.code == "conflict"
    assert refused.value.messages[0].startswith("This message is no longer being sent")
    message.refresh_from_db()
    assert (message.status, AuditEntry.objects.count()) == (status, 0)


def test_mark_sent_of_a_message_sending_for_minutes_only_is_refused(store, manager, now):
    message = stuck(store, now, minutes=5)

    with pytest.raises(ValidationError) as refused:
        message_mark_sent(message=message, actor=manager, now=now)

    assert refused.value.messages == [
        "This message is still being sent. Wait 10 minutes after it was handed to the gateway "
        "before settling it."]
    assert (row(message)[0], AuditEntry.objects.count()) == ("sending", 0)


def test_settling_a_message_of_another_store_is_not_allowed(other_store, manager, now):
    message = stuck(other_store, now)

    with pytest.raises(PermissionDenied):
        message_mark_sent(message=message, actor=manager, now=now)

    assert row(message)[0] == "sending"


def test_a_consultant_may_not_settle_a_message(store, consultant, now):
    message = stuck(store, now)

    with pytest.raises(PermissionDenied):
        message_requeue(message=message, actor=consultant, now=now)

    assert row(message)[0] == "sending"


# --- Requeue ----------------------------------------------------------------------------------
def test_requeue_puts_a_stuck_message_back_and_the_outbox_sends_it(store, manager, now):
    message = stuck(store, now)

    message_requeue(message=message, actor=manager, now=now)

    assert row(message) == ("queued", None, "", 1)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.changes) == (
        manager, {"status": ["sending", "queued"], "delivery_report": "unknown"})
    gateway = Gateway()
    gateway.sent = []
    assert outbox_send_batch(now=now, sender=gateway)["sent"] == 1
    assert (gateway.sent, row(message)[0], row(message)[3]) == ([message.pk], "sent", 2)


def test_requeue_when_the_gateway_reports_it_delivered_is_refused(store, manager, now):
    message = stuck(store, now)

    with pytest.raises(ValidationError) as refused:
        message_requeue(message=message, actor=manager, now=now, sender=DeliveredGateway())

    assert refused.value.messages == [
        "The gateway reports this message delivered: mark it sent instead; sending it again "
        "would reach the customer twice."]
    assert (row(message)[0], AuditEntry.objects.count()) == ("sending", 0)


def test_requeue_of_a_message_already_sent_is_refused(store, manager, now):
    message = stuck(store, now, status=MessageStatus.SENT)

    with pytest.raises(ValidationError) as refused:
        message_requeue(message=message, actor=manager, now=now)

    assert refused.value.code == "conflict"
    assert (row(message)[0], AuditEntry.objects.count()) == ("sent", 0)


# --- The Messages page ------------------------------------------------------------------------
def test_stuck_filter_shows_only_stuck_messages_with_the_gateways_answer(
        login, manager, store, now, settings):
    settings.LEADS_MESSAGE_SENDER = SENDER + "DeliveredGateway"
    message = stuck(store, now)
    stuck(store, now, minutes=3, key="s2", name="李四")  # sending, not stuck yet
    stuck(store, now, key="s3", status=MessageStatus.SENT, name="王五")

    response = login(english(manager)).get(URL, {"stuck": "on"})

    html = response.content.decode()
    assert [m.pk for m in response.context["page"].object_list] == [message.pk]
    assert "The gateway reports it delivered" in html
    assert f"/leads/messages/{message.pk}/mark-sent/" in html
    assert f"/leads/messages/{message.pk}/requeue/" not in html  # it was delivered


def test_unknown_report_offers_both_actions(login, manager, store, now):
    message = stuck(store, now)

    html = login(english(manager)).get(URL, {"stuck": "on"}).content.decode()

    assert "The gateway has no report on it" in html
    assert f"/leads/messages/{message.pk}/mark-sent/" in html
    assert f"/leads/messages/{message.pk}/requeue/" in html


@pytest.mark.parametrize("count", [1, 3])
def test_stuck_list_query_count(login, manager, store, now, count, django_assert_num_queries):
    for n in range(count):
        stuck(store, now, key=f"s{n}", name=f"客户{n}")
    client = login(manager)

    with django_assert_num_queries(9):
        response = client.get(URL, {"stuck": "on"})

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETING])
def test_mark_sent_view_goes_back_to_the_list(login, make_user, store, now, role):
    message = stuck(store, now)
    user = make_user(role, language="en")

    response = login(user).post(f"/leads/messages/{message.pk}/mark-sent/",
                                {"next": "/leads/messages/?stuck=on"})

    assert (response.status_code, response.url) == (302, "/leads/messages/?stuck=on")
    assert row(message)[0] == "sent"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The message to 张三丰 is marked as sent."]
    assert AuditEntry.objects.get().actor == user


def test_requeue_view_with_htmx_returns_the_row(login, manager, store, now):
    message = stuck(store, now)

    response = login(english(manager)).post(f"/leads/messages/{message.pk}/requeue/", **HTMX)

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="message-{message.pk}">')
    assert ">Queued</span>" in html
    assert "/requeue/" not in html
    assert row(message)[0] == "queued"


def test_settle_view_refusal_is_409_and_changes_nothing(login, manager, store, now, settings):
    settings.LEADS_MESSAGE_SENDER = SENDER + "FailedGateway"
    message = stuck(store, now)
    client = login(english(manager))

    plain = client.post(f"/leads/messages/{message.pk}/mark-sent/")
    htmx = client.post(f"/leads/messages/{message.pk}/mark-sent/", **HTMX)

    refusal = ("The gateway reports this message not delivered: put it back in the queue "
               "instead.")
    assert (plain.status_code, plain.context["refusal"]) == (409, refusal)
    assert htmx.status_code == 409
    assert htmx.content.decode().strip().startswith(f'<tr id="message-{message.pk}">')
    assert f'<div class="error" role="alert">{refusal}</div>' in htmx.content.decode()
    assert (row(message)[0], AuditEntry.objects.count()) == ("sending", 0)


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.RECEPTIONIST,
                                  Role.FINANCE])
def test_settle_views_are_forbidden_to_other_roles(login, make_user, store, now, role):
    message = stuck(store, now)
    client = login(make_user(role))

    responses = [client.post(f"/leads/messages/{message.pk}/mark-sent/"),
                 client.post(f"/leads/messages/{message.pk}/requeue/")]

    assert [r.status_code for r in responses] == [403, 403]
    assert (row(message)[0], AuditEntry.objects.count()) == ("sending", 0)


def test_settle_views_of_another_store_are_404(login, manager, other_store, now):
    message = stuck(other_store, now)
    client = login(manager)

    responses = [client.post(f"/leads/messages/{message.pk}/mark-sent/"),
                 client.post(f"/leads/messages/{message.pk}/requeue/")]

    assert [r.status_code for r in responses] == [404, 404]
    assert row(message)[0] == "sending"


def test_settle_views_refuse_get(login, manager, store, now):
    message = stuck(store, now)

    response = login(manager).get(f"/leads/messages/{message.pk}/mark-sent/")

    assert (response.status_code, row(message)[0]) == (405, "sending")


# --- Two people at once (PostgreSQL) ----------------------------------------------------------
def test_two_managers_settling_at_once_one_wins(transactional_db, store, manager, make_user,
                                                now):
    require_postgres()
    message = stuck(store, now)
    other = make_user(Role.MANAGER)

    results = race(lambda: message_mark_sent(message=message, actor=manager, now=now),
                   lambda: message_requeue(message=message, actor=other, now=now))

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [e.code for e in refused] == ["conflict"]
    assert AuditEntry.objects.count() == 1
    assert row(message)[0] in {"sent", "queued"}
