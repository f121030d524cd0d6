"""seed_demo's showroom history: visits, invitations, test drives, roster, checklist."""


import pytest
from django.db.models import Count, F
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Store, User
from showroom.enums import DutyState, InvitationStatus, TestDriveStatus
from showroom.models import (
    DutyShift,
    InspectionItem,
    Invitation,
    TalkTrack,
    TestDrive,
    Visit,
)
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, seeded once for the module; rolled back after its last test."""
    with demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("demo-media")):
        yield


@pytest.fixture
def demo(seeded):
    return Store.objects.get(code="DEMO")


def test_demo_has_visits_that_belong_to_the_store_and_end_after_they_start(demo):
    visits = Visit.objects.filter(store=demo)

    assert visits.exists()
    assert not visits.filter(departed_at__lte=F("arrived_at")).exists()
    assert not visits.exclude(customer=None).exclude(customer__store=demo).exists()
    assert not visits.exclude(lead=None).exclude(lead__store=demo).exists()
    assert not visits.exclude(consultant__store=demo).exists()


def test_demo_open_visits_are_today_with_a_consultant_busy_with_them(demo):
    start, end = demo.day_bounds(demo.today())
    open_visits = Visit.objects.filter(store=demo, departed_at=None)
    busy = DutyShift.objects.filter(store=demo, date=demo.today(),
                                    state=DutyState.WITH_CUSTOMER)

    assert open_visits.exists()  # customers on the floor now
    assert open_visits.exclude(arrived_at__gte=start, arrived_at__lt=end).count() == 0
    assert sorted(open_visits.values_list("consultant", flat=True)) == sorted(
        busy.values_list("consultant", flat=True))


def test_demo_history_is_in_the_past(demo):
    now = timezone.now()

    assert list(Visit.objects.filter(store=demo, arrived_at__gt=now)) == []
    assert list(Visit.objects.filter(store=demo, departed_at__gt=now)) == []
    assert list(TestDrive.objects.filter(store=demo, finished_at__gt=now)) == []


def test_demo_test_drives_are_done_with_feedback_and_never_double_booked(demo):
    drives = TestDrive.objects.filter(store=demo)

    assert drives.exists()
    assert not drives.filter(finished_at__lte=F("started_at")).exists()
    assert not drives.exclude(customer__store=demo).exists()
    assert set(drives.values_list("status", flat=True)) == {TestDriveStatus.DONE}
    assert not drives.filter(rating_overall=None).exists()
    doubles = drives.values("vehicle", "slot_start").annotate(n=Count("id")).filter(n__gt=1)
    assert list(doubles) == []
    assert not drives.exclude(vehicle__status="demo").exists()


def test_demo_invitations_cover_arrived_scheduled_and_no_show(demo):
    statuses = set(Invitation.objects.filter(store=demo).values_list("status", flat=True))

    assert {InvitationStatus.ARRIVED, InvitationStatus.SCHEDULED} <= statuses
    assert not Invitation.objects.filter(status=InvitationStatus.ARRIVED, visit=None).exists()


def test_demo_roster_for_today_and_the_store_libraries(demo):
    shifts = DutyShift.objects.filter(store=demo, date=demo.today())

    # Every active consultant of the store is on today's roster, once, at places 1..N.
    consultants = User.objects.filter(store=demo, role=Role.CONSULTANT, is_active=True)
    assert sorted(shifts.values_list("consultant", flat=True)) == sorted(
        consultants.values_list("pk", flat=True))
    assert sorted(shifts.values_list("position", flat=True)) == list(
        range(1, consultants.count() + 1))
    assert TalkTrack.objects.filter(store=demo).exists()
    assert InspectionItem.objects.filter(store=demo).exists()


def test_demo_customers_come_back_and_some_invitations_are_missed(demo):
    returns = list(Visit.objects.filter(store=demo, first_visit=False)
                   .select_related("lead"))
    missed = list(Invitation.objects.filter(store=demo, status=InvitationStatus.NO_SHOW))

    assert returns and missed
    # Each return visit comes after the customer's first one; each missed invitation was
    # made after its lead came in and was due before now.
    firsts = dict(Visit.objects.filter(store=demo, first_visit=True)
                  .values_list("lead_id", "arrived_at"))
    assert all(visit.arrived_at > firsts[visit.lead_id] for visit in returns)
    now = timezone.now()
    assert all(inv.lead.created_at <= inv.created_at <= inv.expected_at < now for inv in missed)
