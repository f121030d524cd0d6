"""factory_boy factories. Phones, ID numbers and VINs are real valid values."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import factory
from django.utils import timezone

from dealership.demo import data
from dealership.enums import Powertrain, Role, Seniority, StockStatus
from dealership.models import (
    Brand,
    Colour,
    Customer,
    DealerGroup,
    Series,
    StockVehicle,
    Store,
    Team,
    Trim,
    User,
)
from dealership.roles import user_sync_groups

_rng = random.Random(7)
PASSWORD = "test-pass-2026"


def clock_now() -> dt.datetime:
    """`timezone.now()` looked up when a factory calls it: `LazyFunction(timezone.now)`
    would hold the real function, and a test that sets the clock with
    `mock.patch.object(timezone, "now", …)` would get rows of another day."""
    return timezone.now()


class DealerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealerGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GRP{n}")
    name = factory.Sequence(lambda n: f"集团{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试门店{n}")
    timezone = "Asia/Shanghai"
    opens_at = dt.time(8, 30)
    closes_at = dt.time(20, 0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.CONSULTANT
    store = factory.SubFactory(StoreFactory)
    seniority = factory.LazyAttribute(
        lambda o: Seniority.JUNIOR if o.role == Role.CONSULTANT else "")
    language = "zh-hans"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            user_sync_groups(self)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"销售{n}组")
    supervisor = None


def _phone(n: int) -> str:
    return data.mobile(random.Random(n))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    name = factory.LazyFunction(lambda: data.chinese_name(_rng))
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    city = "深圳"
    owner = None
    created_at = factory.LazyFunction(clock_now)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = "丰田"
    name_en = "Toyota"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("brand", "name")

    brand = factory.SubFactory(BrandFactory)
    name = "凯美瑞"


class TrimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trim

    series = factory.SubFactory(SeriesFactory)
    name = factory.Sequence(lambda n: f"2.0 版本{n}")
    model_year = 2025
    powertrain = Powertrain.HEV
    msrp = Decimal("209800.00")


class ColourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Colour

    series = factory.SubFactory(SeriesFactory)
    name = factory.Sequence(lambda n: f"颜色{n}")


class StockVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockVehicle

    store = factory.SubFactory(StoreFactory)
    trim = factory.SubFactory(TrimFactory)
    vin = factory.Sequence(lambda n: data.vin(random.Random(n), wmi="LVG", model_year=2025))
    status = StockStatus.IN_STOCK
    arrival_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    cost = Decimal("180000.00")
    list_price = Decimal("209800.00")
    location = "A区-01"
