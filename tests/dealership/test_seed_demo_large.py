"""`seed_demo --scale large`: a dealer group of ten stores with five years of every stage's
history (dealership.demo.group), here scaled down with `--leads`.

The staff does not scale with `--leads`: every store keeps its 22 consultants (220 in the
group), so the benchmark's 10k and 1M runs read the same organisation."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max
from django.test import override_settings
from django.utils import timezone

from aftersales.models import CarePlan, CareStep, Complaint, Survey, SurveyAnswer
from contracts.models import Contract, ContractSequence, Payment, Quote, QuoteVersion
from dealership.demo import group as shape
from dealership.enums import Role
from dealership.models import Customer, Store, User
from delivery.models import Handover
from leads.models import ConsultantRouting, Lead, LeadEvent, Touch
from showroom.models import TestDrive, Visit

pytestmark = pytest.mark.django_db

LEADS = 2000
STORE_ROLES = {Role.MANAGER, Role.SUPERVISOR, Role.RECEPTIONIST, Role.FINANCE,
               Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def group(django_db_setup, django_db_blocker):
    """One seeded group for the module's tests (it takes a while), emptied afterwards as a
    TransactionTestCase would."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        out = _seed("--scale", "large", "--leads", str(LEADS))
    yield out
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _branch(queryset, field: str = "store"):
    """Rows of the group's stores other than DEMO: history only, no showcase."""
    return queryset.filter(**{f"{field}__code__startswith": "DEMO"}).exclude(
        **{f"{field}__code": "DEMO"})


def test_large_builds_the_group_its_staff_and_five_years_of_every_stage(group):
    stores = Store.objects.filter(code__startswith="DEMO")
    assert stores.count() == 10
    for store in stores:
        roles = set(User.objects.filter(store=store).values_list("role", flat=True))
        assert roles >= STORE_ROLES, store.code
        assert User.objects.filter(store=store, role=Role.CONSULTANT).count() >= 20
    assert User.objects.filter(role=Role.CONSULTANT, store__in=stores).count() >= 200

    history = _branch(Lead.objects)
    first = history.order_by("created_at").values_list("created_at", flat=True)[0]
    assert first < timezone.now() - dt.timedelta(days=4 * 365 + 300)
    # The history's leads add up to --leads (DEMO's share comes on top of its showcase).
    shares = shape.begin(total_leads=LEADS, today=dt.date.today()).leads
    shape.end()
    assert history.count() == sum(n for code, n in shares.items() if code != "DEMO")
    assert Lead.objects.filter(store__code="DEMO").count() > shares["DEMO"]
    # Every year of the five has leads in every store.
    for store in stores.exclude(code="DEMO"):
        years = {d.year for d in Lead.objects.filter(store=store)
                 .values_list("created_at", flat=True)}
        assert len(years) >= 5, store.code

    # Rows in every stage, in the history of the stores that have no showcase.
    for model in (Visit, TestDrive, Quote, Contract, Payment, Handover, CarePlan, CareStep,
                  Survey):
        assert _branch(model.objects).exists(), model.__name__
    assert QuoteVersion.objects.filter(quote__store__code="DEMO02").exists()
    assert SurveyAnswer.objects.filter(survey__store__code="DEMO02").exists()
    assert Touch.objects.filter(lead__store__code="DEMO02").exists()
    assert LeadEvent.objects.filter(lead__store__code="DEMO02").exists()
    assert Complaint.objects.exclude(store__code="DEMO").exists()


def test_large_keeps_every_row_in_its_store(group):
    assert not Lead.objects.exclude(customer__store=F("store")).exists()
    assert not Lead.objects.exclude(owner=None).exclude(owner__store=F("store")).exists()
    assert not Visit.objects.exclude(lead=None).exclude(lead__store=F("store")).exists()
    assert not TestDrive.objects.exclude(vehicle__store=F("store")).exists()
    assert not Contract.objects.exclude(customer__store=F("store")).exists()
    assert not Contract.objects.exclude(consultant__store=F("store")).exists()
    assert not Payment.objects.exclude(contract__store=F("store")).exists()
    assert not Handover.objects.exclude(contract__store=F("store")).exists()
    assert not CareStep.objects.exclude(plan__store=F("store")).exists()
    # A contract for every won lead of the history, delivered ones handed over and cared for.
    won = _branch(Lead.objects).filter(status="won")
    assert Contract.objects.filter(lead__in=won).count() == won.count()
    delivered = _branch(Contract.objects).filter(delivered_at__isnull=False)
    assert delivered.filter(handover__isnull=True).count() == 0
    assert delivered.filter(care_plan__isnull=True).count() == 0
    # The numbering continues where the history stopped.
    for row in ContractSequence.objects.all():
        top = Contract.objects.filter(store=row.store, year=row.year).aggregate(
            top=Max("sequence"))["top"] or 0
        assert row.last >= top


def test_large_history_is_mostly_closed_only_the_last_weeks_are_worked(group):
    history = _branch(Lead.objects)
    now = timezone.now()
    old = history.filter(created_at__lt=now - dt.timedelta(days=90))
    # Beyond the last weeks a lead was won, lost or went dormant: none is still being worked.
    assert not old.exclude(status__in=["won", "lost", "dormant"]).exists()
    assert history.filter(open=True).count() < history.count() * 0.15
    assert history.filter(created_at__gte=now - dt.timedelta(days=7), open=True).exists()
    # Weekends are busier than weekdays (Django: 1 = Sunday, 7 = Saturday).
    weekend = history.filter(created_at__week_day__in=[1, 7]).count() / 2
    weekday = history.exclude(created_at__week_day__in=[1, 7]).count() / 5
    assert weekend > weekday * 1.2
    # The routing's maintained load is each consultant's open-lead count.
    counts = dict(history.filter(open=True).exclude(owner=None).values("owner")
                  .annotate(n=Count("pk")).values_list("owner", "n"))
    for routing in _branch(ConsultantRouting.objects):
        assert routing.open_leads == counts.get(routing.user_id, 0)


def test_large_run_again_changes_nothing(group, settings):
    settings.DEBUG = True
    before = (Store.objects.count(), User.objects.count(), Customer.objects.count(),
              Lead.objects.count(), Contract.objects.count())

    out = _seed("--scale", "large", "--leads", str(LEADS))

    assert "exists already" in out
    assert (Store.objects.count(), User.objects.count(), Customer.objects.count(),
            Lead.objects.count(), Contract.objects.count()) == before


def test_large_prints_each_group_stage_with_its_time(group):
    stages = [line.strip().split(" …")[0] for line in group.splitlines() if " …" in line]

    # The routing loads are counted last, once every stage has won and lost its leads.
    assert stages[-9:] == [
        "group: stores, staff and stock", "group history: leads", "group history: showroom",
        "group history: contracts", "group history: delivery", "group history: aftersales",
        "group history: reports", "group history: routing loads", "ANALYZE"]


@pytest.mark.parametrize("args", [["--leads", "100"], ["--scale", "medium", "--leads", "10"],
                                  ["--scale", "large", "--leads", "-1"]])
def test_leads_only_with_the_large_scale(settings, args):
    settings.DEBUG = True
    before = Store.objects.count()

    with pytest.raises(CommandError):
        _seed(*args)

    assert Store.objects.count() == before


# --- The group's shape (no database) ----------------------------------------------------------
def test_daily_counts_add_up_grow_and_are_busier_at_weekends():
    first = dt.date(2021, 12, 1)
    days = shape.daily_counts(random.Random(1), total=100_000, first=first, days=5 * 365)

    assert sum(count for _day, count in days) == 100_000
    assert [day for day, _count in days] == [first + dt.timedelta(days=i)
                                             for i in range(5 * 365)]
    first_year = sum(count for _day, count in days[:365])
    last_year = sum(count for _day, count in days[-365:])
    assert last_year > first_year * 1.4
    weekend = [count for day, count in days if day.weekday() >= 5]
    weekday = [count for day, count in days if day.weekday() < 5]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday) * 1.4


def test_daily_counts_are_the_same_for_the_same_seed():
    def run(seed):
        return shape.daily_counts(random.Random(seed), total=5000, first=dt.date(2022, 1, 1),
                                  days=400)

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_group_leads_split_over_ten_stores_proportionally():
    for total in (10_000, shape.DEFAULT_LEADS):
        history = shape.begin(total_leads=total, today=dt.date(2026, 12, 7))
        shape.end()

        assert len(history.leads) == 10
        assert abs(sum(history.leads.values()) - total) <= 10
        assert history.days >= 5 * 365
    # About 50–60 new leads per store and day at the default size.
    per_store_day = shape.DEFAULT_LEADS / 10 / (5 * 365)
    assert 50 <= per_store_day <= 60
