"""The showroom section of a consultant's "my day"."""

import datetime as dt

import pytest
from django.utils import timezone

from showroom.selectors.my_day import showroom_day_for_consultant
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory, store_today

pytestmark = pytest.mark.django_db


def _today_at(store, hour: int) -> dt.datetime:
    return dt.datetime.combine(store_today(store), dt.time(hour), tzinfo=store.tzinfo)


def test_my_day_lists_my_open_visit_and_todays_test_drive_only(client, store, consultant,
                                                                 teammate):
    mine = CustomerFactory(store=store, owner=consultant, name="赵六")
    VisitFactory(store=store, consultant=consultant, customer=mine)
    VisitFactory(store=store, consultant=consultant, customer=mine,
                 arrived_at=timezone.now() - dt.timedelta(hours=3),
                 departed_at=timezone.now() - dt.timedelta(hours=2))  # closed
    VisitFactory(store=store, consultant=teammate)  # someone else's customer
    drive = DriveFactory(store=store, consultant=consultant, customer=mine,
                         slot_start=_today_at(store, 23))
    DriveFactory(store=store, consultant=teammate, slot_start=_today_at(store, 22))
    client.force_login(consultant)

    response = client.get("/my-day/")

    assert [visit.customer for visit in response.context["visits_open"]] == [mine]
    assert response.context["test_drives_today"] == [drive]
    assert response.context["invitations_today"] == []
    assert drive.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_showroom_day_is_three_queries_whatever_the_rows(store, consultant, count,
                                                         django_assert_num_queries):
    for hour in range(20, 20 + count):
        customer = CustomerFactory(store=store, owner=consultant)
        VisitFactory(store=store, consultant=consultant, customer=customer)
        DriveFactory(store=store, consultant=consultant, customer=customer,
                     slot_start=_today_at(store, hour))
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant, customer=customer),
                          expected_at=_today_at(store, hour))

    with django_assert_num_queries(3):
        day = showroom_day_for_consultant(user=consultant, day=store_today(store))
        names = [(visit.customer.name, drive.vehicle.trim.series.name, drive.customer.name,
                  invitation.lead.customer.name)
                 for visit, drive, invitation in zip(day["visits_open"],
                                                     day["test_drives_today"],
                                                     day["invitations_today"], strict=True)]

    assert len(names) == count
