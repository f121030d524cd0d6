"""Walk-in registration, the visit page, closing, the phone added later, objections and
talk tracks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dealership.enums import Role
from leads.enums import Channel, LeadStatus
from leads.models import Lead, Notification
from showroom.enums import DutyState, ObjectionType, VisitOutcome
from showroom.models import Objection, TalkTrack, Visit
from tests.factories import SeriesFactory, TrimFactory
from tests.helpers import HTMX
from tests.showroom.factories import (
    DutyShiftFactory,
    ObjectionFactory,
    TalkTrackFactory,
    VisitFactory,
)

# Stories span the hour around now: they run on the business-hours clock.
pytestmark = [pytest.mark.usefixtures("business_hours"), pytest.mark.django_db]


def _login(client, user) -> None:
    """Signed in with the English interface: the assertions compare English messages."""
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)

FULL_PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def floor(store, consultant, teammate):
    day = store.today()
    return [DutyShiftFactory(store=store, date=day, consultant=c, position=i)
            for i, c in enumerate([consultant, teammate], start=1)]


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- Walk-in ---------------------------------------------------------------------------------
def test_walk_in_form_defaults_arrival_to_now(client, receptionist, floor):
    _login(client, receptionist)

    response = client.get("/showroom/walk-in/")

    arrived = response.context["form"].initial["arrived_at"]
    assert abs(timezone.now() - arrived) < dt.timedelta(minutes=1)
    assert str(arrived.tzinfo) == "Asia/Shanghai"


def test_walk_in_goes_to_the_next_in_queue(client, store, receptionist, floor, consultant):
    _login(client, receptionist)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": _local(timezone.now()), "party_size": "2", "first_visit": "first",
        "description": "蓝衣夫妇"})

    assert response.headers["Location"] == "/showroom/desk/"
    visit = Visit.objects.get()
    assert (visit.consultant, visit.party_size, visit.first_visit, visit.description) == (
        consultant, 2, True, "蓝衣夫妇")
    floor[0].refresh_from_db()
    assert floor[0].state == DutyState.WITH_CUSTOMER


def test_walk_in_returning_customer_routed_to_owner(client, store, receptionist, floor,
                                                    customer, teammate):
    # Changed in issue 14: the owner is waiting in the queue (behind 李强); a busy owner
    # is asked about first (tests/showroom/test_walk_in_routing.py).
    floor[0].position = 9
    floor[0].save()
    _login(client, receptionist)

    client.post("/showroom/walk-in/", {
        "arrived_at": _local(timezone.now()), "party_size": "1", "first_visit": "return",
        "phone": "138 1234 5678"})

    visit = Visit.objects.get()
    assert (visit.consultant, visit.customer, visit.routed_by) == (
        customer.owner, customer, "customer")
    assert Notification.objects.filter(user=customer.owner).count() == 1


def test_walk_in_owner_off_without_choice_is_400_with_input_kept(client, store, receptionist,
                                                                 floor, customer):
    floor[0].state = DutyState.OFF
    floor[0].save()
    _login(client, receptionist)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": _local(timezone.now()), "party_size": "3", "first_visit": "return",
        "phone": "13812345678"})

    assert response.status_code == 400
    form = response.context["form"]
    assert sorted(form.errors) == ["consultant", "routing_note"]
    assert form["party_size"].value() == "3"
    assert Visit.objects.count() == 0


def test_walk_in_bad_phone_is_400(client, receptionist, floor):
    _login(client, receptionist)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": _local(timezone.now()), "party_size": "1", "first_visit": "first",
        "phone": "12345"})

    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == ["“12345” is not a valid phone number."]


def test_walk_in_forbidden_to_a_consultant(client, consultant):
    _login(client, consultant)

    assert client.get("/showroom/walk-in/").status_code == 403


# --- Visit page ------------------------------------------------------------------------------
def test_consultant_opens_own_visit(client, store, consultant, customer):
    visit = VisitFactory(store=store, consultant=consultant, customer=customer)
    _login(client, consultant)

    response = client.get(visit.get_absolute_url())

    assert response.context["visit"] == visit
    assert response.context["close_form"] is not None


def test_another_consultant_gets_404(client, store, consultant, teammate):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, teammate)

    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.post(f"/showroom/visits/{visit.pk}/close/",
                       {"outcome": VisitOutcome.FOLLOW_UP}).status_code == 404
    visit.refresh_from_db()
    assert (visit.departed_at, visit.outcome) == (None, "")


def test_outsider_gets_404(client, store, consultant, outsider):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, outsider)

    assert client.get(visit.get_absolute_url()).status_code == 404


def test_receptionist_reads_todays_visit_masked_and_read_only(client, store, receptionist,
                                                              consultant, customer):
    visit = VisitFactory(store=store, consultant=consultant, customer=customer)
    _login(client, receptionist)

    response = client.get(visit.get_absolute_url())

    body = response.content.decode()
    assert "138****5678" in body
    assert FULL_PHONE.findall(body) == []
    assert (response.context["close_form"], response.context["objection_form"]) == (None, None)


def test_receptionist_cannot_open_an_older_visit(client, store, receptionist, consultant):
    visit = VisitFactory(store=store, consultant=consultant,
                         arrived_at=timezone.now() - dt.timedelta(days=3))
    _login(client, receptionist)

    assert client.get(visit.get_absolute_url()).status_code == 404


def test_receptionist_cannot_close(client, store, receptionist, consultant):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, receptionist)

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {})

    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.departed_at is None


# --- Closing ---------------------------------------------------------------------------------
def test_close_visit_records_needs_and_moves_lead(client, store, consultant, customer, floor):
    arrived = timezone.now() - dt.timedelta(minutes=30)
    lead = Lead.objects.create(store=store, customer=customer, owner=consultant,
                               channel=Channel.PHONE, status=LeadStatus.NEW)
    visit = VisitFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                         arrived_at=arrived)
    floor[0].state = DutyState.WITH_CUSTOMER
    floor[0].save()
    series = TrimFactory().series
    _login(client, consultant)

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {
        "departed_at": _local(arrived + dt.timedelta(minutes=25)), "usage": "family",
        "budget_min": "150000", "budget_max": "220000", "seats": "5", "trade_in": "true",
        "trade_in_vehicle": "2015 朗逸", "models_presented": [series.pk],
        "outcome": VisitOutcome.TEST_DRIVE, "note": "周六再来"})

    assert response.headers["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    assert (visit.usage, visit.budget_max, visit.trade_in, visit.outcome) == (
        "family", 220000, True, VisitOutcome.TEST_DRIVE)
    assert visit.duration.total_seconds() // 60 in (24, 25)  # form works to the minute
    lead.refresh_from_db()
    assert lead.status == LeadStatus.VISITED
    floor[0].refresh_from_db()
    assert (floor[0].state, floor[0].position) == (DutyState.AVAILABLE, 3)


def test_close_visit_departure_before_arrival_is_400(client, store, consultant):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, consultant)

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {
        "departed_at": _local(visit.arrived_at - dt.timedelta(hours=1)),
        "outcome": VisitOutcome.BROWSING})

    assert response.status_code == 400
    assert response.context["close_form"].errors["departed_at"] == [
        "The customer cannot leave before they arrived."]


def test_close_visit_twice_is_refused(client, store, consultant):
    arrived = timezone.now() - dt.timedelta(hours=1)
    visit = VisitFactory(store=store, consultant=consultant, arrived_at=arrived,
                         departed_at=arrived + dt.timedelta(minutes=20))
    _login(client, consultant)

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {
        "departed_at": _local(timezone.now()), "outcome": VisitOutcome.BROWSING})

    assert response.status_code == 400
    assert response.context["close_form"].non_field_errors() == [
        "This visit was already closed."]


# --- Phone later, objections -------------------------------------------------------------------
def test_receptionist_adds_phone_later(client, store, receptionist, consultant):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, receptionist)

    response = client.post(f"/showroom/visits/{visit.pk}/phone/",
                           {"phone": "13900003333", "name": "周敏"})

    assert response.headers["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    assert (visit.customer.phone, visit.lead.owner, visit.lead.channel) == (
        "+8613900003333", consultant, Channel.WALK_IN)


def test_objection_added_with_htmx_returns_panel(client, store, consultant):
    visit = VisitFactory(store=store, consultant=consultant)
    series = SeriesFactory()
    TrimFactory(series=series)
    _login(client, consultant)

    response = client.post(f"/showroom/visits/{visit.pk}/objections/", {
        "kind": ObjectionType.PRICE, "series": series.pk, "note": "太贵了"}, **HTMX)

    assert list(Objection.objects.values_list("kind", "series_id", "note")) == [
        (ObjectionType.PRICE, series.pk, "太贵了")]
    assert response.content.decode().lstrip().startswith('<section class="card" id="objections"')
    assert response.headers["HX-Trigger"] == '{"objection-added": {}}'


def test_objection_refused_to_another_consultant(client, store, consultant, teammate):
    visit = VisitFactory(store=store, consultant=consultant)
    _login(client, teammate)

    response = client.post(f"/showroom/visits/{visit.pk}/objections/",
                           {"kind": ObjectionType.PRICE, "note": "x"})

    assert response.status_code == 404
    assert Objection.objects.count() == 0


# --- Talk tracks ---------------------------------------------------------------------------------
def test_talk_tracks_inline_for_an_objection(client, store, consultant):
    series = SeriesFactory()
    TalkTrackFactory(store=store, title="价格通用")
    TalkTrackFactory(store=store, kind=ObjectionType.SERVICE, title="服务")
    _login(client, consultant)

    response = client.get(f"/showroom/talk-tracks/?kind=price&series={series.pk}",
                          headers={"HX-Request": "true", "HX-Target": "talk-track-list"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="talk-track-list"')
    assert re.findall(r"<h3>(\S+) ", body) == ["价格通用"]


@pytest.mark.parametrize("series", ["²", "99999999999999999999999", "abc"])
def test_talk_tracks_unusable_series_filter_is_ignored(client, store, consultant, series):
    TalkTrackFactory(store=store, title="价格通用")
    TalkTrackFactory(store=store, series=SeriesFactory(), title="车型专用")
    _login(client, consultant)

    response = client.get("/showroom/talk-tracks/", {"kind": "price", "series": series})

    assert response.status_code == 200
    assert [track.title for track in response.context["tracks"]] == ["价格通用", "车型专用"]


@pytest.mark.parametrize("count", [1, 3])
def test_talk_tracks_page_query_count(client, store, manager, consultant, count,
                                      django_assert_num_queries):
    for _i in range(count):
        TalkTrackFactory(store=store, series=SeriesFactory(name=f"车型{_i}"))
        ObjectionFactory(visit=VisitFactory(store=store, consultant=consultant))
    _login(client, manager)

    # session, user, store, tracks, objections by kind, by model
    with django_assert_num_queries(6):
        response = client.get("/showroom/talk-tracks/")

    assert len(response.context["tracks"]) == count
    assert response.context["counts"].total == count


def test_manager_creates_a_talk_track(client, store, manager):
    _login(client, manager)

    response = client.post("/showroom/talk-tracks/new/", {
        "kind": ObjectionType.PRICE, "title": "比竞品贵", "body": "保值率更高。"})

    assert response.headers["Location"] == "/showroom/talk-tracks/"
    assert list(TalkTrack.objects.values_list("store_id", "title", "updated_by_id")) == [
        (store.pk, "比竞品贵", manager.pk)]


def test_consultant_cannot_edit_talk_tracks(client, store, consultant):
    track = TalkTrackFactory(store=store)
    _login(client, consultant)

    assert client.get("/showroom/talk-tracks/new/").status_code == 403
    assert client.post(f"/showroom/talk-tracks/{track.pk}/edit/",
                       {"kind": "price", "title": "x", "body": "y"}).status_code == 403
    track.refresh_from_db()
    assert track.title != "x"


def test_manager_cannot_edit_another_stores_track(client, other_store, manager):
    track = TalkTrackFactory(store=other_store)
    _login(client, manager)

    assert client.get(f"/showroom/talk-tracks/{track.pk}/edit/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_visit_detail_query_count_is_constant(client, store, consultant, count,
                                              django_assert_num_queries):
    visit = VisitFactory(store=store, consultant=consultant)
    for index in range(count):
        ObjectionFactory(visit=visit, series=SeriesFactory(name=f"车型{index}"))
    _login(client, consultant)

    with django_assert_num_queries(8):
        response = client.get(visit.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["objections"]) == count
