"""The group view: the grouped §3 figures equal store_figures store by store, scope by
group, aggregates only, a fixed query count, the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from contracts.enums import ContractStatus
from dealership.enums import Role, StockStatus
from dealership.models import User
from leads.enums import Channel, LeadStatus
from reports.metrics import store_figures
from reports.models import Target
from reports.selectors.group import group_figures
from showroom.enums import InvitationStatus, TestDriveStatus
from tests.aftersales.factories_complaints import complaint_record
from tests.contracts.factories import make_contract
from tests.factories import (
    CustomerFactory,
    DealerGroupFactory,
    StockVehicleFactory,
    StoreFactory,
    UserFactory,
)
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

GROUP = "/reports/group/"
EXPORT = "/reports/group/export.csv"
# 10 April 2026: 12:00 in Shanghai, 13:00 in Tokyo.
NOW = dt.datetime(2026, 4, 10, 4, 0, tzinfo=dt.UTC)
APR_9, APR_10 = dt.date(2026, 4, 9), dt.date(2026, 4, 10)


@pytest.fixture(autouse=True)
def _clock():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def local(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def history(store, extra: int) -> None:
    """A store's days around 10 April: `extra` more first visits than the base history."""
    consultant = UserFactory(role=Role.CONSULTANT, store=store)
    manager = UserFactory(role=Role.MANAGER, store=store)
    carer = UserFactory(role=Role.CUSTOMER_CARE, store=store)
    buyer = CustomerFactory(store=store, owner=consultant)
    # Visits: 23:59 on the 9th and 00:01 on the 10th (store time); a returning customer.
    VisitFactory(store=store, consultant=consultant, arrived_at=local(store, APR_9, 23, 59))
    VisitFactory(store=store, consultant=consultant, arrived_at=local(store, APR_10, 0, 1))
    VisitFactory(store=store, consultant=consultant, customer=buyer, first_visit=False,
                 arrived_at=local(store, APR_10, 10))
    for n in range(extra):
        VisitFactory(store=store, consultant=consultant, customer=CustomerFactory(store=store),
                     arrived_at=local(store, APR_10, 11, n))
    driven = CustomerFactory(store=store, owner=consultant)
    VisitFactory(store=store, consultant=consultant, customer=driven,
                 arrived_at=local(store, APR_10, 9))
    DriveFactory(store=store, consultant=consultant, customer=driven,
                 slot_start=local(store, APR_10, 9, 30), status=TestDriveStatus.DONE)
    # Online leads first touched at 59 and at 61 minutes; a won walk-in lead.
    for minutes in (59, 61):
        created = local(store, APR_10, 8)
        LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE, created_at=created,
                    first_touch_at=created + dt.timedelta(minutes=minutes),
                    status=LeadStatus.CONTACTED)
    LeadFactory(store=store, owner=consultant, channel=Channel.WALK_IN,
                created_at=local(store, APR_9, 10), status=LeadStatus.WON)
    # Invitations due on the 10th: one came, one did not, one cancelled (not counted).
    for status in (InvitationStatus.ARRIVED, InvitationStatus.NO_SHOW,
                   InvitationStatus.CANCELLED):
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant,
                                           created_at=local(store, APR_9, 8)),
                          expected_at=local(store, APR_10, 10), status=status)
    # A deal signed on the 10th; a slow car (70 days); an unanswered complaint of the 9th.
    make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)
    StockVehicleFactory(store=store, status=StockStatus.IN_STOCK,
                        arrival_date=APR_10 - dt.timedelta(days=70))
    complaint_record(carer, buyer, received_at=local(store, APR_9, 9))


@pytest.fixture
def group_stores(store):
    group = DealerGroupFactory(code="SOUTH", name="华南集团")
    store.group = group
    store.save(update_fields=["group"])
    sister = StoreFactory(code="SISTER", name="姐妹店", group=group)
    tokyo = StoreFactory(code="TOKYO", name="东京店", group=group, timezone="Asia/Tokyo")
    for n, each in enumerate((store, sister, tokyo)):
        history(each, n)
    return [store, sister, tokyo]


# --- The grouped figures equal store_figures ----------------------------------------------
@pytest.mark.parametrize(("first_day", "last_day"), [
    (APR_10, APR_10), (APR_9, APR_9), (dt.date(2026, 4, 1), APR_10), (APR_9, APR_10)])
def test_group_figures_equal_store_figures_store_by_store(group_stores, first_day, last_day):
    grouped = group_figures(stores=group_stores, first_day=first_day, last_day=last_day,
                            now=NOW)

    for each in group_stores:
        assert grouped[each.pk] == store_figures(store=each, first_day=first_day,
                                                 last_day=last_day, now=NOW), each.code


def test_group_figures_month_to_date_is_each_stores_own(group_stores):
    grouped = group_figures(stores=group_stores, now=NOW)

    for each in group_stores:
        assert grouped[each.pk] == store_figures(store=each, first_day=dt.date(2026, 4, 1),
                                                 last_day=APR_10, now=NOW)


def test_group_figures_by_hand(group_stores):
    store = group_stores[0]

    figures = group_figures(stores=group_stores, first_day=APR_10, now=NOW)

    # On the 10th: the 00:01 visit, the driven customer's, `extra` more; one return visit.
    assert [(figures[s.pk].walk_ins_first, figures[s.pk].walk_ins_return, figures[s.pk].deals)
            for s in group_stores] == [(2, 1, 1), (3, 1, 1), (4, 1, 1)]
    first = figures[store.pk]
    assert (first.first_contact_sla.numerator, first.first_contact_sla.denominator) == (1, 2)
    assert first.invitation_show_rate.percent == "50.0%"
    assert first.slow_stock == 1
    assert first.complaint_sla.denominator == 0  # the complaint came on the 9th
    # 1 deal ÷ (1 anonymous first visit + 1 named customer's) → 50%
    assert first.walk_in_conversion.value == Decimal("0.5000")


# --- The page -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.GROUP_EXEC, Role.ADMIN)])
def test_group_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(GROUP).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_group_anonymous_redirects_to_login(client):
    response = client.get(GROUP)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={GROUP}"


def test_group_exec_sees_their_groups_stores_side_by_side(client, make_user, group_stores,
                                                         other_store):
    store = group_stores[0]
    Target.objects.create(store=store, month=dt.date(2026, 4, 1), metric="deals",
                          value=Decimal("4"))
    other_store.group = DealerGroupFactory(code="NORTH", name="华北集团")
    other_store.save(update_fields=["group"])
    StoreFactory(code="CLOSED", name="已关店", group=store.group, is_active=False)
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=store.group))

    response = client.get(GROUP)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.store.code for r in rows] == ["DEMO", "SISTER", "TOKYO"]
    assert [(r.figures.first_day, r.figures.last_day) for r in rows] == [
        (dt.date(2026, 4, 1), APR_10)] * 3
    assert [(r.figures.walk_ins_first, r.figures.deals, r.deals_target) for r in rows] == [
        (3, 1, Decimal("4.00")), (4, 1, None), (5, 1, None)]
    html = response.content.decode()
    assert "1 / 4 (25.0%)" in html
    assert "别的店" not in html
    assert "已关店" not in html
    # Aggregates only: no customer, no consultant is named.
    for name in User.objects.filter(store=store).values_list("name", flat=True):
        assert name not in html


def test_group_admin_sees_every_active_store(client, make_user, store, other_store):
    client.force_login(make_user(Role.ADMIN))

    response = client.get(GROUP)

    assert [r.store.code for r in response.context["rows"]] == ["DEMO", "OTHER"]


def test_group_exec_without_a_group_sees_the_empty_state(client, make_user, store):
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=None))

    response = client.get(GROUP)

    assert response.context["rows"] == []


def test_group_for_one_day(client, make_user, group_stores):
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=group_stores[0].group))

    response = client.get(GROUP, {"day": "2026-04-09"})

    rows = response.context["rows"]
    assert response.context["is_month"] is False
    assert [(r.figures.first_day, r.figures.walk_ins_first) for r in rows] == [
        (APR_9, 1), (APR_9, 1), (APR_9, 1)]


def test_group_for_a_past_month(client, make_user, group_stores):
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=group_stores[0].group))

    response = client.get(GROUP, {"month": "2026-03"})

    rows = response.context["rows"]
    assert [(r.figures.first_day, r.figures.last_day, r.figures.walk_ins_first)
            for r in rows] == [(dt.date(2026, 3, 1), dt.date(2026, 3, 31), 0)] * 3


@pytest.mark.parametrize("params", [{"day": "2026-04-11"}, {"day": "2020-01-01"},
                                    {"month": "2026-13"}, {"day": "yesterday"}])
def test_group_refuses_a_period_out_of_range(client, make_user, store, params):
    client.force_login(make_user(Role.ADMIN))

    response = client.get(GROUP, params)
    export = client.get(EXPORT, params)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == list(params)
    assert export.status_code == 400


def test_group_csv(client, make_user, group_stores):
    store = group_stores[0]
    Target.objects.create(store=store, month=dt.date(2026, 4, 1), metric="deals",
                          value=Decimal("4"))
    user = make_user(Role.GROUP_EXEC, dealer_group=store.group, language="en")
    client.force_login(user)

    response = client.get(EXPORT, {"day": "2026-04-10"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["Store code", "Store", "First day", "Last day", "First visits",
                           "Return visits", "Deals"]
    assert rows[1] == ["DEMO", "示范店", "2026-04-10", "2026-04-10", "2", "1", "1", "",
                       "0.5000", "0.5000", "0.5000", "1", ""]
    assert [row[0] for row in rows[1:]] == ["DEMO", "SISTER", "TOKYO"]


@pytest.mark.parametrize("count", [1, 3])
def test_group_query_count_is_constant(client, make_user, count, django_assert_num_queries):
    group = DealerGroupFactory(code="G1", name="华南集团")
    for each in StoreFactory.create_batch(count, group=group):
        VisitFactory(store=each, arrived_at=NOW)
    client.force_login(make_user(Role.GROUP_EXEC, dealer_group=group))

    # session, user; stores; the figures (9, one time zone); the deals targets
    with django_assert_num_queries(13):
        response = client.get(GROUP)

    assert [r.figures.walk_ins_first for r in response.context["rows"]] == [1] * count
