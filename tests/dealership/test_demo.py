"""`manage.py seed_demo`: the demo store DEMO of DESIGN §4."""

from __future__ import annotations

from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from dealership.enums import Role, Seniority, StockStatus
from dealership.models import Customer, StockVehicle, Store, User
from dealership.validators import normalize_id_number, normalize_phone, normalize_vin
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-pass-2026"
ROLE_LOGINS = {
    "receptionist": Role.RECEPTIONIST,
    "supervisor": Role.SUPERVISOR,
    "manager": Role.MANAGER,
    "finance": Role.FINANCE,
    "service_advisor": Role.SERVICE_ADVISOR,
    "customer_care": Role.CUSTOMER_CARE,
    "marketing": Role.MARKETING,
    "group_exec": Role.GROUP_EXEC,
    "admin": Role.ADMIN,
    **{f"consultant{i}": Role.CONSULTANT for i in range(1, 9)},
}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (Store.objects.count(), User.objects.count(), Customer.objects.count(),
            StockVehicle.objects.count())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, seeded once for the module; rolled back after its last test. Its
    output. The commands' runs on an empty database are in test_demo_commands.py."""
    with demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("demo-media")) as out:
        yield out


def test_seed_demo_reports_each_stage_as_it_goes(seeded):
    # `make run` seeds on its first start: one line per stage, each with its time.
    stages = [line.strip().split(" …")[0] for line in seeded.splitlines() if " …" in line]

    assert stages == ["staff, catalogue and stock", "customers", "leads", "showroom",
                      "contracts", "delivery", "aftersales", "reports", "routing loads"]
    assert all(line.rstrip().endswith(" s") for line in seeded.splitlines() if " …" in line)


def test_seed_demo_creates_store_demo(seeded):
    store = Store.objects.get(code="DEMO")

    assert (store.timezone, store.is_active) == ("Asia/Shanghai", True)


def test_seed_demo_creates_one_login_per_role_and_eight_consultants(seeded):
    logins = dict(User.objects.values_list("username", "role"))

    assert logins == ROLE_LOGINS


def test_seed_demo_store_staff_work_at_demo(seeded):
    store = Store.objects.get(code="DEMO")

    stores = dict(User.objects.values_list("username", "store"))

    assert stores == {
        username: (None if role in (Role.GROUP_EXEC, Role.ADMIN) else store.pk)
        for username, role in ROLE_LOGINS.items()
    }


def test_seed_demo_half_the_consultants_senior(seeded):
    seniorities = list(
        User.objects.filter(role=Role.CONSULTANT).values_list("seniority", flat=True)
    )

    assert sorted(seniorities) == [Seniority.JUNIOR] * 4 + [Seniority.SENIOR] * 4


def _sign_in():
    # django-axes counts sign-in attempts per request: authenticate() needs one.
    return RequestFactory().post("/accounts/login/")


def test_seed_demo_every_login_authenticates_with_demo_password(seeded):
    authenticated = {
        username: authenticate(_sign_in(), username=username, password=DEMO_PASSWORD)
        for username in ROLE_LOGINS
    }

    assert authenticated == {user.username: user for user in User.objects.all()}


def test_seed_demo_wrong_password_refused(seeded):
    assert authenticate(_sign_in(), username="manager", password="demo-pass-2025") is None


def test_seed_demo_every_user_in_group_of_role(seeded):
    groups = {
        user.username: [group.name for group in user.groups.all()]
        for user in User.objects.prefetch_related("groups")
    }

    assert groups == {username: [role] for username, role in ROLE_LOGINS.items()}


def test_seed_demo_every_customer_phone_valid_chinese_mobile(seeded):
    phones = list(Customer.objects.values_list("phone", flat=True))

    refused = [
        phone for phone in phones
        if normalize_phone(phone) != phone
        or phonenumbers.number_type(phonenumbers.parse(phone))
        != phonenumbers.PhoneNumberType.MOBILE
    ]
    assert (len(phones) > 0, refused) == (True, [])


def test_seed_demo_customer_phones_unique_per_store(seeded):
    repeated = list(
        Customer.objects.values("store", "phone").annotate(n=Count("id")).filter(n__gt=1)
    )

    assert repeated == []


def test_seed_demo_every_vin_valid(seeded):
    vins = list(StockVehicle.objects.values_list("vin", flat=True))

    assert (len(vins) > 0, [vin for vin in vins if normalize_vin(vin) != vin]) == (True, [])


def test_seed_demo_every_id_number_valid(seeded):
    id_numbers = list(
        Customer.objects.exclude(id_number="").values_list("id_number", flat=True)
    )

    refused = [value for value in id_numbers if normalize_id_number(value) != value]
    assert (len(id_numbers) > 0, refused) == (True, [])


def test_seed_demo_customers_and_stock_are_consistent_and_in_the_past(seeded):
    now = timezone.now()
    customers = Customer.objects.select_related("store", "owner")
    stock = StockVehicle.objects.select_related("store")

    assert customers.exists() and stock.exists()
    assert [c.pk for c in customers if c.created_at > now] == []
    assert [c.pk for c in customers
            if c.owner is not None and (c.owner.store_id, c.owner.role)
            != (c.store_id, Role.CONSULTANT)] == []
    assert [c.pk for c in customers if c.marketing_consent and c.consent_at is None] == []
    assert [v.vin for v in stock
            if v.arrival_date is not None and v.arrival_date > v.store.today()] == []
    assert [v.vin for v in stock
            if v.status != StockStatus.IN_TRANSIT and v.arrival_date is None] == []


def test_seed_demo_second_run_creates_nothing(seeded, settings):
    settings.DEBUG = True
    before = _counts()

    output = _seed()

    assert (_counts(), output) == (before, "Store DEMO exists already: nothing seeded.\n")


def test_seed_demo_routing_loads_equal_each_consultants_open_leads(seeded):
    """The routing's maintained load is counted after every stage has written its history
    (later stages win and lose leads in bulk, past the services)."""
    from leads.enums import CLOSED_STATUSES
    from leads.models import ConsultantRouting, Lead

    routings = list(ConsultantRouting.objects.filter(store__code="DEMO"))
    assert routings
    for routing in routings:
        statuses = Lead.objects.filter(owner_id=routing.user_id).values_list("status", flat=True)
        expected = sum(1 for status in statuses if status not in CLOSED_STATUSES)
        assert routing.open_leads == expected, routing.user_id
    assert any(routing.open_leads for routing in routings)
