"""Reports' screens: the manager's store overview and the group figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealership.enums import Role, Seniority, StockStatus
from tests.factories import (
    CustomerFactory,
    DealerGroupFactory,
    StockVehicleFactory,
    StoreFactory,
    UserFactory,
)
from tests.helpers import english

pytestmark = pytest.mark.django_db

STORE_OVERVIEW = "/reports/store/"
GROUP_OVERVIEW = "/reports/group/"

# 23:30 on 31 March in UTC is already 07:30 on 1 April in Shanghai.
LATE_UTC = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)


def _consultants(store, team, count):
    return [UserFactory(role=Role.CONSULTANT, store=store, team=team,
                        seniority=Seniority.JUNIOR) for _ in range(count)]


# --- Store overview -----------------------------------------------------------------------
def test_store_overview_anonymous_redirects_to_login(client):
    response = client.get(STORE_OVERVIEW)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={STORE_OVERVIEW}"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.MANAGER])
def test_store_overview_other_roles_are_forbidden(client, make_user, customer, role):
    client.force_login(make_user(role))

    response = client.get(STORE_OVERVIEW)

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "张三丰" not in response.content.decode()


def test_store_overview_shows_the_store_figures(client, manager, store, other_store,
                                               consultant, teammate):
    CustomerFactory.create_batch(2, store=store, owner=consultant)
    CustomerFactory(store=store, owner=teammate)
    CustomerFactory(store=store, owner=None, created_at=timezone.now() - dt.timedelta(days=70))
    today = store.today()
    StockVehicleFactory(store=store, arrival_date=today - dt.timedelta(days=61))
    StockVehicleFactory(store=store, status=StockStatus.DEMO,
                        arrival_date=today - dt.timedelta(days=90))
    StockVehicleFactory(store=store, arrival_date=today - dt.timedelta(days=60))
    StockVehicleFactory(store=store, status=StockStatus.IN_TRANSIT, arrival_date=None)
    StockVehicleFactory(store=store, status=StockStatus.DELIVERED,
                        arrival_date=today - dt.timedelta(days=200))
    # Another store's rows count nowhere here.
    CustomerFactory.create_batch(2, store=other_store)
    StockVehicleFactory(store=other_store, arrival_date=today - dt.timedelta(days=100))
    client.force_login(english(manager))

    response = client.get(STORE_OVERVIEW)

    assert response.status_code == 200
    assert response.context["today"] == today
    assert response.context["customers"] == {"total": 4, "this_month": 3}
    assert response.context["slow_stock"] == 2  # 61 and 90 days; 60 days is not slow yet
    assert [(c.get_full_name(), c.customer_count) for c in response.context["consultants"]] == [
        ("王芳", 2), ("李强", 1),
    ]
    # In transit, in stock, reserved, sold, delivered, demo vehicle.
    assert [n for _label, n in response.context["stock"]] == [1, 2, 0, 0, 1, 1]
    html = response.content.decode()
    assert "In stock over 60 days" in html
    assert "Demo vehicle" in html
    assert f'href="/customers/?owner={consultant.pk}"' in html


def test_store_overview_of_another_store_shows_nothing_of_this_store(
        client, make_user, store, other_store, consultant):
    CustomerFactory(store=store, owner=consultant, name="欧阳明")
    StockVehicleFactory(store=store, arrival_date=store.today() - dt.timedelta(days=61))
    other_manager = make_user(Role.MANAGER, username="other-mgr", store=other_store)
    client.force_login(other_manager)

    response = client.get(STORE_OVERVIEW)

    assert response.status_code == 200
    assert response.context["customers"] == {"total": 0, "this_month": 0}
    assert response.context["slow_stock"] == 0
    assert list(response.context["consultants"]) == []
    assert [n for _label, n in response.context["stock"]] == [0, 0, 0, 0, 0, 0]
    html = response.content.decode()
    assert "王芳" not in html
    assert "欧阳明" not in html


def test_store_overview_counts_in_the_store_day(client, manager, store, settings, monkeypatch):
    # The server keeps UTC; the store is in Shanghai, already on 1 April.
    settings.TIME_ZONE = "UTC"
    store.timezone = "Asia/Shanghai"
    store.save(update_fields=["timezone"])
    monkeypatch.setattr(timezone, "now", lambda: LATE_UTC)
    # 00:30 on 1 April in Shanghai: this month for the store, last month for UTC.
    CustomerFactory(store=store, created_at=dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC))
    # 23:30 on 31 March in Shanghai: last month for the store.
    CustomerFactory(store=store, created_at=dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC))
    # 61 days before 1 April is slow; by UTC's 31 March it would be 60 days, not yet slow.
    StockVehicleFactory(store=store, arrival_date=dt.date(2026, 1, 30))
    client.force_login(manager)

    response = client.get(STORE_OVERVIEW)

    assert response.context["today"] == dt.date(2026, 4, 1)
    assert response.context["customers"] == {"total": 2, "this_month": 1}
    assert response.context["slow_stock"] == 1
    assert "2026-04-01" in response.content.decode()


def test_store_overview_slow_stock_follows_the_stores_threshold(client, manager, store):
    from delivery.models import DeliverySettings

    DeliverySettings.objects.create(store=store, slow_stock_days=30)
    today = store.today()
    StockVehicleFactory(store=store, arrival_date=today - dt.timedelta(days=31))
    StockVehicleFactory(store=store, arrival_date=today - dt.timedelta(days=30))
    client.force_login(english(manager))

    response = client.get(STORE_OVERVIEW)

    assert response.context["slow_stock"] == 1  # 31 days is slow at 30; 30 is not yet
    assert "In stock over 30 days" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_store_overview_query_count_is_constant(client, manager, store, team, count,
                                                django_assert_num_queries):
    for member in _consultants(store, team, count):
        CustomerFactory(store=store, owner=member)
    StockVehicleFactory.create_batch(count, store=store)
    client.force_login(manager)

    # session, user, store (time zone); customers, the store's slow-stock threshold, slow
    # stock, stock by status, consultants
    with django_assert_num_queries(8):
        response = client.get(STORE_OVERVIEW)

    assert len(response.context["consultants"]) == count
    assert response.context["customers"]["total"] == count


# --- Group figures ------------------------------------------------------------------------
def test_group_overview_anonymous_redirects_to_login(client):
    response = client.get(GROUP_OVERVIEW)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={GROUP_OVERVIEW}"


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.GROUP_EXEC, Role.ADMIN)])
def test_group_overview_other_roles_are_forbidden(client, make_user, store, other_store, role):
    client.force_login(make_user(role))

    response = client.get(GROUP_OVERVIEW)

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "别的店" not in response.content.decode()


def test_group_overview_lists_only_own_group_stores(client, make_user, store, other_store,
                                                    consultant, customer):
    south = DealerGroupFactory(code="SOUTH", name="华南集团")
    north = DealerGroupFactory(code="NORTH", name="华北集团")
    store.group = south
    store.save(update_fields=["group"])
    sister = StoreFactory(code="SISTER", name="姐妹店", group=south)
    other_store.group = north
    other_store.save(update_fields=["group"])
    CustomerFactory(store=other_store, name="吴十")
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=south))

    response = client.get(GROUP_OVERVIEW)

    html = response.content.decode()
    assert [(s.code, s.customer_count) for s in response.context["stores"]] == [
        ("DEMO", 1), (sister.code, 0)
    ]
    assert "别的店" not in html
    assert "张三丰" not in html
    assert "吴十" not in html


def test_group_overview_counts_customers_and_stock_per_store(client, make_user, store):
    group = DealerGroupFactory(code="G1", name="华南集团")
    store.group = group
    store.save(update_fields=["group"])
    sister = StoreFactory(code="SISTER", name="姐妹店", group=group)
    CustomerFactory.create_batch(2, store=store)
    StockVehicleFactory(store=store)
    StockVehicleFactory(store=store, status=StockStatus.DEMO)
    StockVehicleFactory(store=store, status=StockStatus.SOLD)
    StockVehicleFactory.create_batch(3, store=sister, status=StockStatus.IN_TRANSIT,
                                     arrival_date=None)
    StoreFactory(code="CLOSED", name="已关店", group=group, is_active=False)
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=group))

    response = client.get(GROUP_OVERVIEW)

    assert [(s.code, s.customer_count, s.on_hand, s.in_transit)
            for s in response.context["stores"]] == [("DEMO", 2, 2, 0), ("SISTER", 0, 0, 3)]
    assert "已关店" not in response.content.decode()


def test_group_overview_admin_sees_every_active_store(client, make_user, store, other_store):
    CustomerFactory(store=other_store)
    client.force_login(make_user(Role.ADMIN))

    response = client.get(GROUP_OVERVIEW)

    assert [(s.code, s.customer_count) for s in response.context["stores"]] == [
        ("DEMO", 0), ("OTHER", 1),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_group_overview_query_count_is_constant(client, make_user, count,
                                                django_assert_num_queries):
    group = DealerGroupFactory(code="G1", name="华南集团")
    for store in StoreFactory.create_batch(count, group=group):
        CustomerFactory(store=store)
        StockVehicleFactory(store=store)
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=group))

    # session, user, stores with their figures
    with django_assert_num_queries(3):
        response = client.get(GROUP_OVERVIEW)

    assert [s.customer_count for s in response.context["stores"]] == [1] * count
