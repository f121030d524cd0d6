"""The delivery calendar of a store day (scoped: a consultant sees their own), the
consultant's deliveries on "my day", and the "delivery due tomorrow" job (the store's
tomorrow, idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dealership.enums import Role
from delivery.enums import LeadEventKind, ReminderKind
from delivery.jobs_handover import announce_tomorrows_deliveries
from delivery.models import DeliveryReminder, Handover
from delivery.selectors.handover import deliveries_for_my_day
from delivery.services.handover import handover_complete, handover_schedule
from leads.models import Notification
from tests.delivery.test_handover_support import allocate, pass_pdi, ready, signed
from tests.factories import CustomerFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.usefixtures("in_english")

CALENDAR = reverse("delivery:calendar")


def book(contract, actor, day: dt.date, hour: int = 10, minute: int = 0):
    at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=contract.store.tzinfo)
    return handover_schedule(actor=actor, contract=contract, scheduled_at=at, place="交车区")


def names(response) -> list[str]:
    return [row.handover.contract.buyer_name for row in response.context["rows"]]


# --- The calendar ------------------------------------------------------------------------------
def test_consultant_sees_only_their_own_deliveries(client, store, consultant, teammate,
                                                   manager):
    today = store.today()
    mine = signed(consultant, manager, customer=CustomerFactory(store=store, owner=consultant,
                                                                name="张三丰"))
    theirs = signed(teammate, manager, customer=CustomerFactory(store=store, owner=teammate,
                                                                name="李四光"))
    book(mine, consultant, today, 15)
    book(theirs, teammate, today, 9)
    client.force_login(consultant)

    response = client.get(CALENDAR)

    assert names(response) == [mine.buyer_name]
    assert "张三丰" in response.content.decode()
    client.force_login(teammate)
    assert client.get(reverse("delivery:handover", args=[mine.pk])).status_code == 404


def test_manager_sees_the_store_day_in_time_order_names_masked(client, store, consultant,
                                                               teammate, manager):
    today = store.today()
    mine = signed(consultant, manager, customer=CustomerFactory(store=store, owner=consultant,
                                                                name="张三丰"))
    theirs = signed(teammate, manager, customer=CustomerFactory(store=store, owner=teammate,
                                                                name="李四光"))
    book(mine, consultant, today, 15)
    book(theirs, teammate, today, 9)
    book(signed(consultant, manager), consultant, today + dt.timedelta(days=1), 9)
    client.force_login(manager)

    response = client.get(CALENDAR)

    html = response.content.decode()
    assert names(response) == [theirs.buyer_name, mine.buyer_name]
    assert ("张*丰" in html, "李*光" in html, "张三丰" in html, "李四光" in html) == (
        True, True, False, False)


def test_another_store_sees_nothing_of_ours(client, store, consultant, manager, outsider):
    contract = signed(consultant, manager)
    book(contract, consultant, store.today())
    other_manager = UserFactory(role=Role.MANAGER, store=outsider.store)
    client.force_login(other_manager)

    response = client.get(CALENDAR)

    assert response.context["rows"] == []
    assert client.get(reverse("delivery:handover", args=[contract.pk])).status_code == 404


def test_stage_ready_or_not(client, store, consultant, manager):
    today = store.today()
    contract, _vehicle = ready(consultant, manager)
    waiting = signed(consultant, manager)
    book(contract, consultant, today, 9)
    book(waiting, consultant, today, 11)
    client.force_login(consultant)

    rows = client.get(CALENDAR).context["rows"]

    assert [(row.ready, row.unmet) for row in rows] == [
        (True, []), (False, ["car", "pdi", "money"])]


def test_another_day_and_its_links(client, store, consultant, manager):
    day = store.today() + dt.timedelta(days=5)
    contract = signed(consultant, manager)
    book(contract, consultant, day)
    client.force_login(consultant)

    response = client.get(CALENDAR, {"day": day.isoformat()})

    assert names(response) == [contract.buyer_name]
    assert (response.context["previous"], response.context["next"]) == (
        day - dt.timedelta(days=1), day + dt.timedelta(days=1))


@pytest.mark.parametrize("raw", ["2026-13-01", "tomorrow", "1900-01-01"])
def test_a_bad_or_far_day_shows_today_with_a_notice(client, store, consultant, raw):
    client.force_login(consultant)

    response = client.get(CALENDAR, {"day": raw})

    assert (response.status_code, response.context["day"]) == (400, store.today())
    assert response.context["notice"]


def test_calendar_forbidden_to_finance(client, store):
    client.force_login(UserFactory(role=Role.FINANCE, store=store))

    assert client.get(CALENDAR).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_query_count_is_constant(client, store, consultant, manager, count,
                                          django_assert_num_queries):
    for n in range(count):
        contract = signed(consultant, manager)
        allocate(contract, manager)
        pass_pdi(contract, consultant)
        book(contract, consultant, store.today(), 9 + n)
    client.force_login(manager)

    # session, user, store (time zone), appointments, their cars, PDI items, PDI checks,
    # payments, loans
    with django_assert_num_queries(9):
        response = client.get(CALENDAR)

    assert len(response.context["rows"]) == count


# --- My day --------------------------------------------------------------------------------------
def test_my_day_lists_today_and_tomorrow_still_to_do(store, consultant, teammate, manager,
                                                     django_assert_num_queries):
    today = store.today()
    later_today = signed(consultant, manager)
    tomorrow = signed(consultant, manager)
    after = signed(consultant, manager)
    done, _vehicle = ready(consultant, manager)
    book(later_today, consultant, today, 16)
    book(tomorrow, consultant, today + dt.timedelta(days=1), 9)
    book(after, consultant, today + dt.timedelta(days=2), 9)
    book(done, consultant, today, 8)
    handover_complete(actor=consultant, contract=done)
    book(signed(teammate, manager), teammate, today, 10)
    consultant = type(consultant).objects.select_related("store").get(pk=consultant.pk)

    with django_assert_num_queries(1):
        panel = deliveries_for_my_day(user=consultant, day=today)

    assert ([h.contract for h in panel["delivery_handovers_today"]],
            [h.contract for h in panel["delivery_handovers_tomorrow"]]) == (
        [later_today], [tomorrow])


def test_my_day_page_shows_the_panel(client, store, consultant, manager):
    contract = signed(consultant, manager)
    book(contract, consultant, store.today() + dt.timedelta(days=1), 9, 30)
    client.force_login(consultant)

    response = client.get(reverse("my_day"))

    html = response.content.decode()
    assert 'id="deliveries"' in html
    assert reverse("delivery:handover", args=[contract.pk]) in html


# --- The "delivery due tomorrow" job --------------------------------------------------------------
def test_tomorrows_deliveries_announced_once(store, consultant, teammate, manager):
    today = store.today()
    first = signed(consultant, manager)
    second = signed(teammate, manager)
    book(first, consultant, today + dt.timedelta(days=1), 9)
    book(second, teammate, today + dt.timedelta(days=1), 23, 30)
    book(signed(consultant, manager), consultant, today + dt.timedelta(days=2), 9)
    book(signed(consultant, manager), consultant, today, 18)

    written = announce_tomorrows_deliveries()
    again = announce_tomorrows_deliveries()

    assert (written, again) == (2, 0)
    assert sorted(DeliveryReminder.objects.values_list("contract", "kind", "day")) == sorted([
        (first.pk, ReminderKind.DELIVERY_TOMORROW, today + dt.timedelta(days=1)),
        (second.pk, ReminderKind.DELIVERY_TOMORROW, today + dt.timedelta(days=1))])
    assert sorted(Notification.objects.filter(kind=LeadEventKind.DELIVERY_DUE)
                  .values_list("user", flat=True)) == sorted([consultant.pk, teammate.pk])


def test_a_completed_handover_is_not_announced(store, consultant, manager):
    contract, _vehicle = ready(consultant, manager)
    book(contract, consultant, store.today() + dt.timedelta(days=1))
    handover_complete(actor=consultant, contract=contract)

    assert announce_tomorrows_deliveries() == 0
    assert not DeliveryReminder.objects.exists()


def test_tomorrow_is_the_stores_tomorrow(consultant, manager):
    """At 23:30 in Shanghai (15:30 UTC) tomorrow is the next Shanghai day, although it is
    still the same day in UTC."""
    store = consultant.store
    assert store.timezone == "Asia/Shanghai"
    contract = signed(consultant, manager)
    shanghai = store.tzinfo
    today = store.today()
    book(contract, consultant, today + dt.timedelta(days=2), 0, 30)
    # The job runs on `today + 1`, 23:30 local: the appointment, at 00:30 two days
    # after today, is tomorrow for the store.
    run_at = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(23, 30),
                                 tzinfo=shanghai)
    early = dt.datetime.combine(today, dt.time(23, 30), tzinfo=shanghai)

    assert announce_tomorrows_deliveries(now=early) == 0
    assert announce_tomorrows_deliveries(now=run_at) == 1
    assert run_at.astimezone(dt.UTC).date() == today + dt.timedelta(days=1)
    assert list(DeliveryReminder.objects.values_list("day", flat=True)) == [
        today + dt.timedelta(days=2)]


def test_each_store_in_its_own_time_zone(consultant, manager):
    """A store in Urumqi time (UTC+6) and one in Shanghai (UTC+8): at 16:30 UTC it is
    00:30 the next day in Shanghai but 22:30 in Urumqi."""
    shanghai = consultant.store
    urumqi = StoreFactory(code="URC", name="乌鲁木齐店", timezone="Asia/Urumqi")
    west = UserFactory(role=Role.CONSULTANT, store=urumqi)
    west_manager = UserFactory(role=Role.MANAGER, store=urumqi)
    now = timezone.now().replace(hour=16, minute=30, second=0, microsecond=0)
    shanghai_today = timezone.localdate(now, shanghai.tzinfo)
    urumqi_today = timezone.localdate(now, urumqi.tzinfo)
    assert shanghai_today == urumqi_today + dt.timedelta(days=1)
    east_contract = signed(consultant, manager)
    west_contract = signed(west, west_manager)
    at_east = dt.datetime.combine(shanghai_today + dt.timedelta(days=1), dt.time(10),
                                  tzinfo=shanghai.tzinfo)
    at_west = dt.datetime.combine(urumqi_today + dt.timedelta(days=1), dt.time(10),
                                  tzinfo=urumqi.tzinfo)
    Handover.objects.create(store=shanghai, contract=east_contract, scheduled_at=at_east)
    Handover.objects.create(store=urumqi, contract=west_contract, scheduled_at=at_west)

    assert announce_tomorrows_deliveries(now=now) == 2
    assert sorted(DeliveryReminder.objects.values_list("store", "day")) == sorted([
        (shanghai.pk, shanghai_today + dt.timedelta(days=1)),
        (urumqi.pk, urumqi_today + dt.timedelta(days=1))])
