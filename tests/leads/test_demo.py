"""`seed_demo` fills 90 days of lead history for the demo store (leads.demo.seed_leads)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count, F
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Store, User
from leads.demo import Builder
from leads.enums import (
    CLOSED_STATUSES,
    ONLINE_CHANNELS,
    Channel,
    EventKind,
    LeadStatus,
    LostRequestStatus,
    TaskKind,
)
from leads.models import (
    Campaign,
    ConsultantRouting,
    Lead,
    LeadEvent,
    LostRequest,
    Notification,
    Task,
    Touch,
)
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, seeded once for the module; rolled back after its last test."""
    with demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("demo-media")):
        yield


@pytest.fixture
def demo(seeded) -> Store:
    return Store.objects.get(code="DEMO")


def test_seed_demo_leads_in_every_status(demo):
    statuses = set(Lead.objects.filter(store=demo).values_list("status", flat=True))

    assert statuses == set(LeadStatus.values)


def test_seed_demo_leads_across_every_channel_and_grade(demo):
    leads = Lead.objects.filter(store=demo)

    assert set(leads.values_list("channel", flat=True)) >= {
        Channel.WALK_IN, Channel.PHONE, Channel.WEBSITE, Channel.VERTICAL_MEDIA,
        Channel.SHORT_VIDEO, Channel.REFERRAL}
    assert set(leads.values_list("grade", flat=True)) == {"A", "B", "C"}


def test_seed_demo_every_lead_belongs_to_a_customer_of_its_store(demo):
    leads = Lead.objects.filter(store=demo)

    assert leads.exists()
    assert leads.exclude(customer__store=F("store")).count() == 0
    assert leads.filter(owner__isnull=False).exclude(owner__store=F("store")).count() == 0
    assert leads.filter(owner__isnull=False).exclude(owner__role=Role.CONSULTANT).count() == 0


def test_seed_demo_most_customers_have_one_lead_and_never_two_open(demo):
    customers = demo.customers.annotate(n=Count("leads"))

    assert customers.filter(n=0).exists()
    assert customers.filter(n=1).exists()
    two_open = (Lead.objects.open().values("customer").annotate(n=Count("id"))
                .filter(n__gt=1))
    assert list(two_open) == []


def test_seed_demo_campaigns_with_budgets(demo):
    campaigns = Campaign.objects.filter(store=demo)

    assert {c.channel for c in campaigns} >= {Channel.VERTICAL_MEDIA, Channel.SHORT_VIDEO,
                                              Channel.WEBSITE, Channel.EVENT}
    assert all(c.budget > 0 for c in campaigns)
    assert Lead.objects.filter(campaign__isnull=False).exclude(
        campaign__channel=F("channel")).count() == 0
    assert Lead.objects.filter(campaign__isnull=False).exists()


def test_seed_demo_touches_follow_their_lead(demo):
    touches = Touch.objects.filter(lead__store=demo)

    assert touches.exists()
    assert touches.filter(created_at__lt=F("lead__created_at")).count() == 0
    assert touches.exclude(note="").count() == touches.count()
    touched = Lead.objects.filter(store=demo, last_touch_at__isnull=False)
    assert touched.count() == Lead.objects.filter(
        store=demo, touches__isnull=False).distinct().count()
    assert Lead.objects.filter(store=demo, status=LeadStatus.NEW,
                               touches__isnull=False).count() == 0


def test_seed_demo_timeline_for_every_lead(demo):
    leads = Lead.objects.filter(store=demo)
    created = LeadEvent.objects.filter(kind=EventKind.CREATED)

    assert created.count() == leads.count()
    assert LeadEvent.objects.filter(kind=EventKind.STATUS, data__to="won").count() == (
        leads.filter(status=LeadStatus.WON).count())


def test_seed_demo_lost_leads_have_reason_and_approved_request(demo):
    lost = Lead.objects.filter(store=demo, status=LeadStatus.LOST)

    assert lost.filter(lost_reason="").count() == 0
    assert lost.filter(closed_at__isnull=True).count() == 0
    approved = LostRequest.objects.filter(status=LostRequestStatus.APPROVED)
    assert set(approved.values_list("lead", flat=True)) == set(lost.values_list("pk", flat=True))
    assert approved.exclude(decided_by__role=Role.SUPERVISOR).count() == 0


def test_seed_demo_pending_lost_requests_for_the_supervisor(demo):
    supervisor = User.objects.get(username="supervisor")
    pending = LostRequest.objects.filter(status=LostRequestStatus.PENDING)

    assert pending.exists()
    assert pending.filter(lead__status__in=CLOSED_STATUSES).count() == 0
    assert Notification.objects.filter(user=supervisor, kind=EventKind.LOST_REQUESTED,
                                       read_at__isnull=True).count() == pending.count()


def test_seed_demo_pool_and_dormant_leads(demo):
    pool = Lead.objects.filter(store=demo).in_pool()

    assert pool.exists()
    assert pool.filter(pooled_at__isnull=True).count() == 0
    assert set(pool.values_list("status", flat=True)) == {LeadStatus.DORMANT}
    dormant = Lead.objects.filter(store=demo, status=LeadStatus.DORMANT)
    assert dormant.filter(dormant_at__isnull=True).count() == 0
    assert Task.objects.filter(kind=TaskKind.REACTIVATE, done_at__isnull=True,
                               lead__status=LeadStatus.DORMANT,
                               lead__owner__isnull=False).count() >= 1


def test_seed_demo_overdue_and_fresh_online_leads(demo):
    now = timezone.now()

    assert Lead.objects.filter(store=demo).overdue(now).exists()
    fresh = Lead.objects.filter(store=demo, status=LeadStatus.NEW,
                                channel__in=ONLINE_CHANNELS, first_touch_at__isnull=True,
                                created_at__gte=now - dt.timedelta(hours=3))
    assert fresh.exists()
    assert fresh.filter(owner__isnull=True).count() == 0


def test_seed_demo_routing_rows_for_every_consultant_on_duty(demo):
    consultants = set(User.objects.filter(store=demo, role=Role.CONSULTANT)
                      .values_list("pk", flat=True))

    rows = ConsultantRouting.objects.filter(store=demo)

    assert set(rows.values_list("user", flat=True)) == consultants
    assert rows.filter(on_duty=False).count() == 0


def test_seed_demo_times_within_90_days_and_business_hours(demo):
    now = timezone.now()
    leads = Lead.objects.filter(store=demo)
    first = now - dt.timedelta(days=92)

    assert leads.filter(created_at__lt=first).count() == 0
    assert leads.filter(created_at__gt=now).count() == 0
    assert Touch.objects.filter(created_at__gt=now).count() == 0
    assert leads.filter(closed_at__gt=now).count() == 0
    assert leads.filter(closed_at__lt=F("created_at")).count() == 0
    assert LeadEvent.objects.filter(created_at__gt=now).count() == 0
    assert Notification.objects.filter(created_at__gt=now).count() == 0
    assert Task.objects.filter(created_at__gt=now).count() == 0
    moments = list(Touch.objects.values_list("created_at", flat=True)) + list(
        leads.exclude(status=LeadStatus.NEW, channel__in=ONLINE_CHANNELS)
        .values_list("created_at", flat=True))
    outside = [m for m in moments
               if not demo.opens_at <= m.astimezone(demo.tzinfo).time() <= demo.closes_at]
    assert outside == []


def test_demo_campaign_dates_are_the_store_days(monkeypatch, other_store):
    # 2026-03-10 12:00 UTC is still the 10th in Shanghai (the server's zone) but already
    # the 11th in a store on Kiritimati (UTC+14): the running campaigns end on its today.
    store = other_store  # not DEMO: this module's seeded store may exist already
    store.timezone = "Pacific/Kiritimati"
    store.save(update_fields=["timezone"])
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))

    Builder(random.Random(1), store).setup()

    ends = dict(Campaign.objects.filter(store=store).values_list("name", "ends_on"))
    assert ends["懂车帝 春季留资"] == dt.date(2026, 3, 11)
    assert ends["深圳国际车展"] == dt.date(2026, 3, 11) - dt.timedelta(days=38)
