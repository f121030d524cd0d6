"""Database constraints of the core models, and their own predicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealership.enums import Role, Seniority, StockStatus
from dealership.models import Customer, StockVehicle, Store, User
from tests.factories import CustomerFactory, StockVehicleFactory, StoreFactory, TrimFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


# --- customers -----------------------------------------------------------------------------
def test_customer_same_phone_twice_in_store_refused(store):
    CustomerFactory(store=store, phone="+8613812345678")

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(store=store, name="李四", phone="+8613812345678")

    assert Customer.objects.filter(store=store, phone="+8613812345678").count() == 1


def test_customer_same_phone_in_another_store_allowed(store, other_store):
    CustomerFactory(store=store, phone="+8613812345678")

    Customer.objects.create(store=other_store, name="李四", phone="+8613812345678")

    assert Customer.objects.filter(phone="+8613812345678").count() == 2


def test_customer_same_id_number_twice_in_store_refused(store):
    CustomerFactory(store=store, phone="+8613812345678", id_number="11010519491231002X")

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(store=store, name="李四", phone="+8613912345678",
                                id_number="11010519491231002X")

    assert Customer.objects.filter(id_number="11010519491231002X").count() == 1


def test_customer_same_id_number_in_another_store_allowed(store, other_store):
    CustomerFactory(store=store, phone="+8613812345678", id_number="11010519491231002X")

    Customer.objects.create(store=other_store, name="李四", phone="+8613912345678",
                            id_number="11010519491231002X")

    assert Customer.objects.filter(id_number="11010519491231002X").count() == 2


def test_customer_two_blank_id_numbers_in_store_allowed(store):
    CustomerFactory(store=store, phone="+8613812345678", id_number="")

    Customer.objects.create(store=store, name="李四", phone="+8613912345678", id_number="")

    assert Customer.objects.filter(store=store, id_number="").count() == 2


def test_customer_consent_without_timestamp_refused(store):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(store=store, name="李四", phone="+8613912345678",
                                marketing_consent=True, consent_at=None)

    assert Customer.objects.count() == 0


def test_customer_consent_with_timestamp_allowed(store):
    customer = Customer.objects.create(store=store, name="李四", phone="+8613912345678",
                                       marketing_consent=True, consent_at=timezone.now())

    assert Customer.objects.with_marketing_consent().get() == customer


def test_customer_masked_properties_hide_personal_data(customer):
    assert (customer.phone_masked, customer.id_number_masked, customer.name_masked) == (
        "138****5678", "1101**********002X", "张*丰")


def test_customer_masked_id_number_blank_when_none(store):
    customer = CustomerFactory(store=store, name="张伟", id_number="")

    assert (customer.id_number_masked, customer.name_masked) == ("", "张*")


# --- audit diff ----------------------------------------------------------------------------
def test_audit_diff_loaded_customer_lists_changed_fields_old_and_new(customer, teammate):
    loaded = Customer.objects.get(pk=customer.pk)
    loaded.name = "张无忌"
    loaded.city = "广州"
    loaded.owner = teammate

    assert loaded.audit_diff() == {
        "name": ["张三丰", "张无忌"],
        "city": ["深圳", "广州"],
        "owner": [customer.owner_id, teammate.pk],
    }


def test_audit_diff_masks_phone_and_id_number(customer):
    loaded = Customer.objects.get(pk=customer.pk)
    loaded.phone = "+8613987654321"
    loaded.id_number = "440301199001011234"

    assert loaded.audit_diff() == {
        "phone": ["138****5678", "139****4321"],
        "id_number": ["1101**********002X", "4403**********1234"],
    }


def test_audit_diff_unchanged_loaded_instance_empty(customer):
    loaded = Customer.objects.get(pk=customer.pk)
    loaded.name = "张三丰"
    loaded.note = "not an audited field"

    assert loaded.audit_diff() == {}


def test_audit_diff_after_reset_empty(customer):
    loaded = Customer.objects.get(pk=customer.pk)
    loaded.name = "张无忌"
    loaded.audit_reset()

    assert loaded.audit_diff() == {}


def test_audit_diff_decimal_and_date_fields_in_plain_form(store):
    vehicle = StockVehicleFactory(store=store, cost=Decimal("180000.00"),
                                  arrival_date=dt.date(2026, 1, 5))
    loaded = StockVehicle.objects.get(pk=vehicle.pk)
    loaded.cost = Decimal("175000.00")
    loaded.arrival_date = dt.date(2026, 1, 6)

    assert loaded.audit_diff() == {
        "cost": ["180000.00", "175000.00"],
        "arrival_date": ["2026-01-05", "2026-01-06"],
    }


def test_audit_diff_deferred_field_not_reported(customer):
    loaded = Customer.objects.only("id", "name").get(pk=customer.pk)
    loaded.name = "张无忌"

    assert loaded.audit_diff() == {"name": ["张三丰", "张无忌"]}


# --- stock ---------------------------------------------------------------------------------
def test_stock_same_vin_twice_in_store_refused(store):
    vehicle = StockVehicleFactory(store=store)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockVehicleFactory(store=store, vin=vehicle.vin)

    assert StockVehicle.objects.filter(vin=vehicle.vin).count() == 1


def test_stock_same_vin_in_another_store_allowed(store, other_store):
    vehicle = StockVehicleFactory(store=store)

    StockVehicleFactory(store=other_store, vin=vehicle.vin)

    assert list(StockVehicle.objects.filter(vin=vehicle.vin).order_by("store__code")
                .values_list("store__code", flat=True)) == ["DEMO", "OTHER"]


def test_stock_negative_cost_refused(store):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockVehicleFactory(store=store, cost=Decimal("-0.01"))

    assert StockVehicle.objects.count() == 0


def test_stock_zero_cost_allowed(store):
    StockVehicleFactory(store=store, cost=Decimal("0"))

    assert StockVehicle.objects.get().cost == Decimal("0")


def test_stock_zero_list_price_refused(store):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockVehicleFactory(store=store, list_price=Decimal("0"))

    assert StockVehicle.objects.count() == 0


@pytest.mark.parametrize(
    "status",
    [StockStatus.IN_STOCK, StockStatus.RESERVED, StockStatus.SOLD, StockStatus.DELIVERED,
     StockStatus.DEMO],
)
def test_stock_arrived_without_arrival_date_refused(store, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockVehicleFactory(store=store, status=status, arrival_date=None)

    assert StockVehicle.objects.count() == 0


def test_stock_in_transit_without_arrival_date_allowed(store):
    StockVehicleFactory(store=store, status=StockStatus.IN_TRANSIT, arrival_date=None)

    assert StockVehicle.objects.get().arrival_date is None


def _vehicle(*, status: str = StockStatus.IN_STOCK, days_ago: int | None) -> StockVehicle:
    arrival = None if days_ago is None else TODAY - dt.timedelta(days=days_ago)
    return StockVehicle(trim=TrimFactory.build(), status=status, arrival_date=arrival,
                        cost=Decimal("1"), list_price=Decimal("1"))


def test_stock_age_days_counts_days_since_arrival():
    assert _vehicle(days_ago=61).age_days(TODAY) == 61


def test_stock_61_days_is_slow():
    assert _vehicle(days_ago=61).is_slow(TODAY) is True


def test_stock_60_days_is_not_slow():
    assert _vehicle(days_ago=60).is_slow(TODAY) is False


def test_stock_arrived_today_age_zero_not_slow():
    vehicle = _vehicle(days_ago=0)

    assert (vehicle.age_days(TODAY), vehicle.is_slow(TODAY)) == (0, False)


def test_stock_demo_vehicle_ages_like_stock():
    vehicle = _vehicle(status=StockStatus.DEMO, days_ago=90)

    assert (vehicle.age_days(TODAY), vehicle.is_slow(TODAY)) == (90, True)


@pytest.mark.parametrize("status", [StockStatus.SOLD, StockStatus.DELIVERED])
def test_stock_gone_vehicle_has_no_age(status):
    vehicle = _vehicle(status=status, days_ago=200)

    assert (vehicle.age_days(TODAY), vehicle.is_slow(TODAY)) == (None, False)


def test_stock_in_transit_has_no_age():
    vehicle = _vehicle(status=StockStatus.IN_TRANSIT, days_ago=None)

    assert (vehicle.age_days(TODAY), vehicle.is_slow(TODAY)) == (None, False)


def test_stock_age_days_defaults_to_store_today(store):
    vehicle = StockVehicleFactory(store=store,
                                  arrival_date=store.today() - dt.timedelta(days=61))

    assert (vehicle.age_days(), vehicle.is_slow()) == (61, True)


def test_stock_age_days_counts_in_the_store_day_not_the_server_day(settings, monkeypatch):
    # 23:30 UTC on 31 March: already 1 April in Shanghai, still 31 March in Los Angeles.
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    shanghai = StoreFactory(code="SH", timezone="Asia/Shanghai")
    los_angeles = StoreFactory(code="LA", timezone="America/Los_Angeles")
    arrival = dt.date(2026, 1, 30)  # 60 days before 31 March, 61 before 1 April

    in_shanghai = StockVehicleFactory(store=shanghai, arrival_date=arrival)
    in_los_angeles = StockVehicleFactory(store=los_angeles, arrival_date=arrival)

    assert (in_shanghai.age_days(), in_shanghai.is_slow()) == (61, True)
    assert (in_los_angeles.age_days(), in_los_angeles.is_slow()) == (60, False)


# --- users ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGER, Role.RECEPTIONIST])
def test_user_store_role_without_store_refused(role):
    seniority = Seniority.JUNIOR if role == Role.CONSULTANT else ""

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nostore", role=role, store=None, seniority=seniority)

    assert User.objects.filter(username="nostore").count() == 0


@pytest.mark.parametrize("role", [Role.GROUP_EXEC, Role.ADMIN])
def test_user_cross_store_role_without_store_allowed(role):
    User.objects.create(username="nostore", role=role, store=None)

    assert User.objects.get(username="nostore").store_id is None


def test_user_seniority_on_non_consultant_refused(store):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="boss", role=Role.MANAGER, store=store,
                            seniority=Seniority.SENIOR)

    assert User.objects.filter(username="boss").count() == 0


def test_user_seniority_on_consultant_allowed(store):
    User.objects.create(username="senior", role=Role.CONSULTANT, store=store,
                        seniority=Seniority.SENIOR)

    assert User.objects.get(username="senior").seniority == Seniority.SENIOR


# --- stores --------------------------------------------------------------------------------
def test_store_closing_before_opening_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Store.objects.create(code="LATE", name="倒店", opens_at=dt.time(18, 0),
                             closes_at=dt.time(9, 0))

    assert Store.objects.filter(code="LATE").count() == 0


def test_store_closing_when_opening_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Store.objects.create(code="ZERO", name="零店", opens_at=dt.time(9, 0),
                             closes_at=dt.time(9, 0))

    assert Store.objects.filter(code="ZERO").count() == 0


def test_store_opening_before_closing_allowed():
    store = StoreFactory(code="DAY", opens_at=dt.time(8, 30), closes_at=dt.time(20, 0))

    assert Store.objects.get(code="DAY") == store
