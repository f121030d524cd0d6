"""A consultant's "my day": overdue first, due today, tasks, notifications, customers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealership.enums import Role
from leads.enums import EventKind, LeadStatus
from leads.models import Notification
from tests.factories import CustomerFactory
from tests.helpers import english
from tests.leads.factories import LeadFactory
from tests.leads.factories_screens import NotificationFactory, TaskFactory

pytestmark = pytest.mark.django_db



def end_of_today() -> dt.datetime:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time.min, tzinfo=timezone.get_current_timezone())


def due_later_today() -> dt.datetime:
    """A moment still today (in the store's zone), after now."""
    now = timezone.now()
    return now + (end_of_today() - now) / 2


def customers_of(leads) -> list[str]:
    return [lead.customer.name for lead in leads]


def test_my_day_anonymous_redirects_to_login(client):
    response = client.get("/my-day/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my-day/"


def test_my_day_old_address_redirects_to_the_core_page(client, consultant):
    client.force_login(consultant)

    response = client.get("/leads/my-day/")

    assert (response.status_code, response["Location"]) == (302, "/my-day/")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.MARKETING])
def test_my_day_is_for_consultants_only(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get("/my-day/")

    assert response.status_code == 403


def test_my_day_lists_overdue_most_overdue_first_then_due_today(client, store, consultant,
                                                                teammate):
    now = timezone.now()
    LeadFactory(store=store, owner=consultant, customer__name="昨天",
                follow_up_due_at=now - dt.timedelta(days=1))
    LeadFactory(store=store, owner=consultant, customer__name="一小时前",
                follow_up_due_at=now - dt.timedelta(hours=1))
    LeadFactory(store=store, owner=consultant, customer__name="今天稍后",
                follow_up_due_at=due_later_today())
    LeadFactory(store=store, owner=consultant, customer__name="下周",
                follow_up_due_at=now + dt.timedelta(days=7))
    LeadFactory(store=store, owner=consultant, customer__name="已成交", status=LeadStatus.WON,
                follow_up_due_at=now - dt.timedelta(days=3))
    LeadFactory(store=store, owner=consultant, customer__name="休眠",
                status=LeadStatus.DORMANT, follow_up_due_at=now - dt.timedelta(days=3))
    LeadFactory(store=store, owner=teammate, customer__name="同事的",
                follow_up_due_at=now - dt.timedelta(days=1))
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert response.status_code == 200
    assert customers_of(response.context["overdue"]) == ["昨天", "一小时前"]
    assert customers_of(response.context["due_today"]) == ["今天稍后"]
    assert response.context["counts"] == {"overdue": 2, "due_today": 1}
    html = response.content.decode()
    assert html.index("昨天") < html.index("今天稍后")
    assert "同事的" not in html
    assert 'href="/leads/?overdue=yes"' in html


def test_my_day_caps_each_list_and_links_to_the_full_list(client, store, consultant):
    english(consultant)
    past = timezone.now() - dt.timedelta(hours=1)
    LeadFactory.create_batch(22, store=store, owner=consultant, follow_up_due_at=past)
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert len(response.context["overdue"]) == 20
    assert response.context["counts"]["overdue"] == 22
    assert '<a href="/leads/?overdue=yes">All 22 overdue leads</a>' in (
        response.content.decode())


def test_my_day_shows_open_tasks_with_their_lead(client, store, consultant, teammate):
    english(consultant)
    mine = LeadFactory(store=store, owner=consultant, customer__name="沉睡客户")
    TaskFactory(lead=mine)
    TaskFactory(lead=LeadFactory(store=store, owner=consultant, customer__name="已办"),
                done_at=timezone.now())
    TaskFactory(lead=LeadFactory(store=store, owner=teammate, customer__name="同事任务"))
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert [task.lead for task in response.context["tasks"]] == [mine]
    html = response.content.decode()
    assert (f'<a href="/leads/{mine.pk}/" class="day-link">Reactivate a dormant lead · '
            "沉睡客户</a>") in html
    assert "同事任务" not in html


def test_my_day_unread_notifications_and_mark_all_read(client, store, consultant, teammate):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant, customer__name="新分配")
    NotificationFactory(lead=lead, kind=EventKind.ASSIGNED)
    NotificationFactory(lead=lead, kind=EventKind.ENQUIRY)
    NotificationFactory(lead=lead, kind=EventKind.ENQUIRY, read_at=timezone.now())
    NotificationFactory(lead=LeadFactory(store=store, owner=teammate))
    client.force_login(consultant)

    before = client.get("/my-day/")
    marked = client.post("/leads/my-day/notifications/read/")
    after = client.get("/my-day/")

    assert [n.kind for n in before.context["notifications"]] == ["enquiry", "assigned"]
    assert f'<a href="/leads/{lead.pk}/" class="day-link">New enquiry · 新分配</a>' in (
        before.content.decode())
    assert marked.status_code == 302
    assert marked["Location"] == "/my-day/"
    assert after.context["notifications"] == []
    assert [str(m) for m in after.context["messages"]] == ["2 notifications marked read."]
    assert Notification.objects.filter(user=teammate, read_at__isnull=True).count() == 1


def test_my_day_notification_of_a_lead_no_longer_mine_masks_the_name(client, store,
                                                                     consultant, teammate):
    lead = LeadFactory(store=store, owner=teammate, customer__name="张三丰")
    NotificationFactory(lead=lead, user=consultant)
    client.force_login(consultant)

    response = client.get("/my-day/")

    html = response.content.decode()
    assert "张*丰" in html
    assert "张三丰" not in html


def test_mark_read_needs_post(client, consultant):
    client.force_login(consultant)

    response = client.get("/leads/my-day/notifications/read/")

    assert response.status_code == 405


def test_mark_read_is_for_consultants(client, make_user, store, consultant):
    manager = make_user(Role.MANAGER)
    unread = NotificationFactory(lead=LeadFactory(store=store, owner=consultant), user=manager)
    client.force_login(manager)

    response = client.post("/leads/my-day/notifications/read/")

    unread.refresh_from_db()
    assert response.status_code == 403
    assert unread.read_at is None


def test_my_day_keeps_my_customers(client, store, consultant, customer):
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert response.context["customer_count"] == 1
    assert response.context["recent_customers"] == [customer]
    assert "138****5678" in response.content.decode()


def test_my_day_empty_says_what_to_do(client, consultant):
    english(consultant)
    client.force_login(consultant)

    response = client.get("/my-day/")

    html = response.content.decode()
    assert "Nothing is overdue." in html
    assert "No open tasks." in html
    assert 'href="/leads/new/"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_my_day_query_count_is_constant(client, store, consultant, count,
                                        django_assert_num_queries):
    now = timezone.now()
    for _ in range(count):
        overdue = LeadFactory(store=store, owner=consultant,
                              follow_up_due_at=now - dt.timedelta(hours=1))
        LeadFactory(store=store, owner=consultant, follow_up_due_at=due_later_today())
        TaskFactory(lead=overdue)
        NotificationFactory(lead=overdue)
        CustomerFactory(store=store, owner=consultant)
    client.force_login(consultant)

    # session, user, store; counts, overdue, due today, tasks, notifications, those since
    # the last visit, customer count, recent customers; the panels of the later stages
    # (delivery's: one query for today's and tomorrow's handovers; after-sales': the due
    # care calls and the care follow-ups assigned to the consultant); and the UPDATE that
    # stamps this visit
    with django_assert_num_queries(18):
        response = client.get("/my-day/")

    assert len(response.context["overdue"]) == count
    assert len(response.context["due_today"]) == count
    assert len(response.context["tasks"]) == count
    assert len(response.context["notifications"]) == count
