"""After-sales screens: the service desk and the customer care desk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealership.enums import ConsentSource, Role, StockStatus
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    StockVehicleFactory,
    TrimFactory,
)
from tests.helpers import english

pytestmark = pytest.mark.django_db

SERVICE_DESK = "/aftersales/service/"
CARE_DESK = "/aftersales/care/"

# 23:30 on 31 March in UTC is already 07:30 on 1 April in Shanghai.
LATE_UTC = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


# --- Service desk -------------------------------------------------------------------------
@pytest.mark.parametrize("path", [SERVICE_DESK, CARE_DESK])
def test_desk_anonymous_redirects_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SERVICE_ADVISOR])
def test_service_desk_other_roles_are_forbidden(client, make_user, store, role):
    StockVehicleFactory(store=store, status=StockStatus.DELIVERED, vin="LVGBV3EK5SG000017")
    client.force_login(make_user(role))

    response = client.get(SERVICE_DESK)

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "LVGBV3EK5SG000017" not in response.content.decode()


def test_service_desk_lists_the_store_delivered_vehicles_newest_first(client, advisor, store,
                                                                     other_store):
    trim = TrimFactory(name="2.5L 旗舰版")
    colour = ColourFactory(series=trim.series, name="珍珠白")
    older = StockVehicleFactory(store=store, trim=trim, colour=colour,
                                status=StockStatus.DELIVERED)
    newer = StockVehicleFactory(store=store, trim=trim, status=StockStatus.DELIVERED)
    on_hand = StockVehicleFactory(store=store, trim=trim)
    foreign = StockVehicleFactory(store=other_store, trim=trim, status=StockStatus.DELIVERED)
    client.force_login(advisor)

    response = client.get(SERVICE_DESK)

    assert response.status_code == 200
    assert list(response.context["delivered"]) == [newer, older]
    html = response.content.decode()
    assert older.vin in html
    assert "珍珠白" in html
    assert on_hand.vin not in html
    assert foreign.vin not in html


def test_service_desk_keeps_the_twenty_newest(client, advisor, store):
    vehicles = StockVehicleFactory.create_batch(21, store=store, status=StockStatus.DELIVERED)
    client.force_login(advisor)

    response = client.get(SERVICE_DESK)

    assert list(response.context["delivered"]) == vehicles[:0:-1]
    assert vehicles[0].vin not in response.content.decode()


def test_service_desk_of_another_store_shows_nothing_of_this_store(client, make_user, store,
                                                                   other_store):
    ours = StockVehicleFactory(store=store, status=StockStatus.DELIVERED)
    client.force_login(english(make_user(Role.SERVICE_ADVISOR, username="other-adv",
                                         store=other_store)))

    response = client.get(SERVICE_DESK)

    assert list(response.context["delivered"]) == []
    html = response.content.decode()
    assert ours.vin not in html
    assert "No delivered vehicle yet." in html


def test_service_desk_shows_the_store_date(client, advisor, store, settings, monkeypatch):
    # The server keeps UTC; the store is in Shanghai, already on 1 April.
    settings.TIME_ZONE = "UTC"
    store.timezone = "Asia/Shanghai"
    store.save(update_fields=["timezone"])
    monkeypatch.setattr(timezone, "now", lambda: LATE_UTC)
    client.force_login(advisor)

    response = client.get(SERVICE_DESK)

    assert response.context["today"] == dt.date(2026, 4, 1)
    assert "2026-04-01" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_service_desk_query_count_is_constant(client, advisor, store, count,
                                              django_assert_num_queries):
    StockVehicleFactory.create_batch(count, store=store, status=StockStatus.DELIVERED)
    client.force_login(advisor)

    # session, user, store (time zone), delivered vehicles with trim, series, brand, colour
    with django_assert_num_queries(4):
        response = client.get(SERVICE_DESK)

    assert len(response.context["delivered"]) == count


# --- Customer care ------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in Role if r != Role.CUSTOMER_CARE])
def test_care_desk_other_roles_are_forbidden(client, make_user, customer, role):
    client.force_login(make_user(role))

    response = client.get(CARE_DESK)

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "张三丰" not in response.content.decode()


def test_care_desk_shows_figures_and_newest_customers(client, carer, store, other_store,
                                                      consultant, customer):
    now = timezone.now()
    consenting = CustomerFactory(store=store, owner=None, name="李逍遥", marketing_consent=True,
                                 consent_at=now, consent_source=ConsentSource.SHOWROOM_FORM,
                                 created_at=now + dt.timedelta(seconds=1))
    CustomerFactory(store=other_store, name="吴十", marketing_consent=True, consent_at=now,
                    consent_source=ConsentSource.SHOWROOM_FORM)
    client.force_login(english(carer))

    response = client.get(CARE_DESK)

    assert response.status_code == 200
    assert response.context["figures"] == {"total": 2, "consenting": 1}
    assert list(response.context["recent"]) == [consenting, customer]
    html = response.content.decode()
    assert f'href="/customers/{customer.pk}/"' in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "王芳" in html
    assert "Unassigned" in html
    assert "吴十" not in html


def test_care_desk_keeps_the_ten_newest(client, carer, store):
    now = timezone.now()
    customers = [CustomerFactory(store=store, created_at=now - dt.timedelta(minutes=n))
                 for n in range(11)]
    client.force_login(carer)

    response = client.get(CARE_DESK)

    assert response.context["figures"]["total"] == 11
    assert list(response.context["recent"]) == customers[:10]


def test_care_desk_of_another_store_shows_nothing_of_this_store(client, make_user, customer,
                                                                other_store):
    client.force_login(english(make_user(Role.CUSTOMER_CARE, username="other-care",
                                         store=other_store)))

    response = client.get(CARE_DESK)

    assert response.context["figures"] == {"total": 0, "consenting": 0}
    assert list(response.context["recent"]) == []
    html = response.content.decode()
    assert "张三丰" not in html
    assert "No customers yet." in html


@pytest.mark.parametrize("count", [1, 3])
def test_care_desk_query_count_is_constant(client, carer, store, consultant, count,
                                           django_assert_num_queries):
    CustomerFactory.create_batch(count, store=store, owner=consultant)
    client.force_login(carer)

    # session, user, store (time zone), figures, newest customers with their owner
    with django_assert_num_queries(5):
        response = client.get(CARE_DESK)

    assert len(response.context["recent"]) == count
