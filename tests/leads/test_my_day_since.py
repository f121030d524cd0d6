""""My day" shows what changed since the consultant's last visit: the notifications that
arrived after `my_day_seen_at` (on a first visit ever, the unread ones), newest first, each
linking to its page with its kind and number; a full page view stamps the visit, an htmx
refresh does not."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from dealership.models import User
from dealership.services.users import user_mark_my_day_seen
from leads.enums import EventKind
from leads.selectors.notifications import unread_count
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory
from tests.leads.factories_screens import NotificationFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def seen_at(user, moment) -> None:
    User.objects.filter(pk=user.pk).update(my_day_seen_at=moment)


def since_panel(html: str) -> str:
    start = html.index('data-testid="since-last-visit"')
    return html[start:html.index("</section>", start)]


def test_first_visit_lists_the_unread_newest_first(client, store, consultant):
    lead = LeadFactory(store=store, owner=consultant)
    older = NotificationFactory(lead=lead, created_at=NOON - dt.timedelta(hours=2))
    newer = NotificationFactory(lead=lead, created_at=NOON - dt.timedelta(hours=1))
    NotificationFactory(lead=lead, created_at=NOON - dt.timedelta(hours=3),
                        read_at=NOON - dt.timedelta(minutes=150))
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert response.context["since_last_visit"] == [newer, older]
    assert response.context["last_visit_at"] is None


def test_a_visit_lists_what_arrived_after_the_last_one_read_or_not(client, store,
                                                                   consultant):
    lead = LeadFactory(store=store, owner=consultant)
    seen_at(consultant, NOON)
    NotificationFactory(lead=lead, created_at=NOON - dt.timedelta(minutes=1))
    after_read = NotificationFactory(lead=lead, created_at=NOON + dt.timedelta(minutes=5),
                                     read_at=NOON + dt.timedelta(minutes=6))
    after = NotificationFactory(lead=lead, created_at=NOON + dt.timedelta(minutes=10))
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert response.context["since_last_visit"] == [after, after_read]
    assert response.context["last_visit_at"] == NOON


def test_the_page_stamps_the_visit(client, consultant):
    client.force_login(consultant)
    later = NOON + dt.timedelta(hours=3)

    with mock.patch.object(timezone, "now", return_value=later):
        response = client.get("/my-day/")

    consultant.refresh_from_db()
    assert response.status_code == 200
    assert consultant.my_day_seen_at == later


def test_the_second_visit_no_longer_lists_what_the_first_showed(client, store, consultant):
    NotificationFactory(lead=LeadFactory(store=store, owner=consultant),
                        created_at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(consultant)
    first = client.get("/my-day/")

    second = client.get("/my-day/")

    assert (len(first.context["since_last_visit"]),
            len(second.context["since_last_visit"])) == (1, 0)


def test_an_htmx_refresh_is_not_a_visit(client, consultant):
    seen_at(consultant, NOON)
    client.force_login(consultant)

    client.get("/my-day/", **HTMX)

    consultant.refresh_from_db()
    assert consultant.my_day_seen_at == NOON


def test_a_head_request_is_not_a_visit(client, consultant):
    seen_at(consultant, NOON)
    client.force_login(consultant)

    client.head("/my-day/")

    consultant.refresh_from_db()
    assert consultant.my_day_seen_at == NOON


def test_another_users_notifications_are_not_listed(client, store, consultant, teammate):
    NotificationFactory(lead=LeadFactory(store=store, owner=teammate), user=teammate)
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert response.context["since_last_visit"] == []


def test_a_decision_links_to_its_page_with_its_kind_and_number(client, store, consultant):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant, customer__name="王小明")
    NotificationFactory(lead=lead, kind="discount_approved", url="/contracts/quotes/7/",
                        subject="Q000007")
    client.force_login(consultant)

    response = client.get("/my-day/")

    panel = since_panel(response.content.decode())
    assert ('<a href="/contracts/quotes/7/" class="day-link">Discount approved · '
            '<span class="mono">Q000007</span> · 王小明</a>') in panel


def test_a_lead_notification_links_to_the_lead(client, store, consultant):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant, customer__name="王小明")
    NotificationFactory(lead=lead, kind=EventKind.LOST_RETURNED)
    client.force_login(consultant)

    response = client.get("/my-day/")

    panel = since_panel(response.content.decode())
    assert (f'<a href="/leads/{lead.pk}/" class="day-link">Lost request sent back · '
            f'王小明</a>') in panel


def test_the_notifications_panel_links_to_the_decided_page_too(client, store, consultant):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant, customer__name="王小明")
    NotificationFactory(lead=lead, kind="contract_rejected", url="/contracts/9/",
                        subject="#9")
    seen_at(consultant, timezone.now() + dt.timedelta(minutes=1))
    client.force_login(consultant)

    response = client.get("/my-day/")

    html = response.content.decode()
    start = html.index('id="notifications"')
    assert ('<a href="/contracts/9/" class="day-link">Contract sent back · '
            '<span class="mono">#9</span> · 王小明</a>') in html[start:]
    assert response.context["since_last_visit"] == []


def test_nothing_new_says_so(client, consultant):
    english(consultant)
    seen_at(consultant, timezone.now())
    client.force_login(consultant)

    response = client.get("/my-day/")

    panel = since_panel(response.content.decode())
    assert "Nothing new since your last visit." in panel


def test_the_stamp_writes_only_its_column(consultant):
    User.objects.filter(pk=consultant.pk).update(name="新名字")

    user_mark_my_day_seen(user=consultant, at=NOON)

    consultant.refresh_from_db()
    assert (consultant.my_day_seen_at, consultant.name) == (NOON, "新名字")


@pytest.mark.parametrize("count", [1, 3])
def test_since_panel_query_count_is_constant(client, store, consultant, count,
                                             django_assert_num_queries):
    seen_at(consultant, timezone.now() - dt.timedelta(hours=1))
    for number in range(count):
        NotificationFactory(lead=LeadFactory(store=store, owner=consultant),
                            kind="discount_approved", url=f"/contracts/quotes/{number}/",
                            subject=f"Q{number:06d}")
    client.force_login(consultant)

    # as tests/leads/test_my_day.py counts the page: session, user, store; the leads
    # panels' eight reads (the since-last-visit list one of them); the later stages'
    # panels; the UPDATE that stamps this visit
    with django_assert_num_queries(18):
        response = client.get("/my-day/")

    assert len(response.context["since_last_visit"]) == count


def test_unread_count_is_the_users_unread_in_one_query(store, consultant, teammate,
                                                       django_assert_num_queries):
    lead = LeadFactory(store=store, owner=consultant)
    NotificationFactory(lead=lead)
    NotificationFactory(lead=lead)
    NotificationFactory(lead=lead, read_at=timezone.now())
    NotificationFactory(lead=LeadFactory(store=store, owner=teammate), user=teammate)

    with django_assert_num_queries(1):
        count = unread_count(consultant)

    assert count == 2
