"""The reception desk, duty-state buttons and today's roster."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dealership.enums import Role
from leads.enums import Channel, LeadStatus
from leads.models import Lead
from showroom.enums import DutyState
from showroom.models import DutyShift, Invitation
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX
from tests.showroom.factories import DutyShiftFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:
    """Signed in with the English interface: the assertions compare English messages."""
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)

FULL_PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


def _floor(store, count: int) -> list[DutyShift]:
    day = store.today()
    return [DutyShiftFactory(store=store, date=day, position=i,
                             consultant=UserFactory(store=store, name=f"顾问{i}"))
            for i in range(1, count + 1)]


@pytest.mark.parametrize("count", [1, 3])
def test_desk_query_count_is_constant(client, store, receptionist, count,
                                      django_assert_num_queries):
    shifts = _floor(store, count)
    for shift in shifts:
        customer = CustomerFactory(store=store, owner=shift.consultant)
        VisitFactory(store=store, consultant=shift.consultant, customer=customer)
        lead = Lead.objects.create(store=store, customer=customer, owner=shift.consultant,
                                   channel=Channel.PHONE, status=LeadStatus.INVITED)
        Invitation.objects.create(store=store, lead=lead, consultant=shift.consultant,
                                  expected_at=timezone.now() + dt.timedelta(minutes=5))
    _login(client, receptionist)

    # session, user, store, roster with consultants, visits with customers, invitations
    with django_assert_num_queries(6):
        response = client.get("/showroom/desk/")

    assert response.status_code == 200
    assert len(response.context["visits"]) == count
    assert len(response.context["queue"].waiting) == count
    assert len(response.context["invitations"]) == count


def test_desk_shows_first_second_third_receptionist(client, store, receptionist):
    _floor(store, 4)
    _login(client, receptionist)

    response = client.get("/showroom/desk/")

    labels = [(str(s.label), s.shift.consultant.name) for s in response.context["queue"].waiting]
    assert labels == [("First receptionist", "顾问1"), ("Second receptionist", "顾问2"),
                      ("Third receptionist", "顾问3"), ("", "顾问4")]
    assert "First receptionist" in response.content.decode()


def test_desk_queue_partial_polls(client, store, receptionist):
    _floor(store, 1)
    _login(client, receptionist)

    response = client.get("/showroom/desk/", headers={"HX-Request": "true",
                                                      "HX-Target": "queue"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="queue"')
    assert 'hx-trigger="every 15s, queue-changed from:body"' in body
    assert "Today's visits" not in body


def test_desk_masks_phone_numbers_for_the_receptionist(client, store, receptionist,
                                                       consultant, customer):
    VisitFactory(store=store, consultant=consultant, customer=customer)
    _login(client, receptionist)

    body = client.get("/showroom/desk/").content.decode()

    assert "138****5678" in body
    assert FULL_PHONE.findall(body) == []


def test_desk_forbidden_to_a_consultant(client, consultant):
    _login(client, consultant)

    assert client.get("/showroom/desk/").status_code == 403


def test_desk_lists_only_todays_visits_of_the_store(client, store, other_store, receptionist,
                                                    consultant, outsider):
    today = VisitFactory(store=store, consultant=consultant)
    VisitFactory(store=store, consultant=consultant,
                 arrived_at=timezone.now() - dt.timedelta(days=2))
    VisitFactory(store=other_store, consultant=outsider)
    _login(client, receptionist)

    response = client.get("/showroom/desk/")

    assert response.context["visits"] == [today]


def test_duty_state_htmx_returns_queue_and_fires_event(client, store, receptionist):
    shift = _floor(store, 2)[0]
    _login(client, receptionist)

    response = client.post(f"/showroom/roster/{shift.pk}/state/", {"state": "away"}, **HTMX)

    shift.refresh_from_db()
    assert shift.state == DutyState.AWAY
    assert response.headers["HX-Trigger"] == '{"queue-changed": {}}'
    assert [s.shift.consultant.name for s in response.context["queue"].waiting] == ["顾问2"]


def test_duty_state_plain_post_redirects(client, store, manager):
    shift = _floor(store, 1)[0]
    _login(client, manager)

    response = client.post(f"/showroom/roster/{shift.pk}/state/", {"state": "off"})

    assert response.headers["Location"] == "/showroom/desk/"
    shift.refresh_from_db()
    assert shift.state == DutyState.OFF


def test_duty_state_bad_value_is_400_with_message(client, store, receptionist):
    shift = _floor(store, 1)[0]
    _login(client, receptionist)

    response = client.post(f"/showroom/roster/{shift.pk}/state/",
                           {"state": "with_customer"}, **HTMX)

    assert response.status_code == 400
    assert response.context["queue_error"] == "Choose waiting, away or off."


def test_duty_state_of_another_store_is_404(client, other_store, receptionist):
    shift = _floor(other_store, 1)[0]
    _login(client, receptionist)

    assert client.post(f"/showroom/roster/{shift.pk}/state/", {"state": "away"}
                       ).status_code == 404
    shift.refresh_from_db()
    assert shift.state == DutyState.AVAILABLE


def test_roster_sets_today_in_order(client, store, receptionist, consultant, teammate):
    _login(client, receptionist)

    response = client.post("/showroom/roster/", {
        f"on_{consultant.pk}": "on", f"order_{consultant.pk}": "2",
        f"on_{teammate.pk}": "on", f"order_{teammate.pk}": "1"})

    assert response.headers["Location"] == "/showroom/desk/"
    assert list(DutyShift.objects.filter(date=store.today())
                .values_list("consultant__name", "position", "state")) == [
        ("李强", 1, DutyState.AVAILABLE), ("王芳", 2, DutyState.AVAILABLE)]


def test_roster_lists_the_stores_active_consultants(client, store, manager, consultant,
                                                    teammate, outsider):
    UserFactory(store=store, name="离职", is_active=False)
    _login(client, manager)

    response = client.get("/showroom/roster/")

    assert [c.name for c, _on, _order in response.context["form"].rows()] == ["李强", "王芳"]


def test_roster_forbidden_to_a_consultant(client, store, consultant):
    _login(client, consultant)

    assert client.get("/showroom/roster/").status_code == 403
    assert client.post("/showroom/roster/",
                       {"day": store.today().isoformat(), "consultants": [consultant.pk]},
                       ).status_code == 403
    assert DutyShift.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_roster_page_query_count_is_constant(client, store, receptionist, count,
                                             django_assert_num_queries):
    _floor(store, count)
    _login(client, receptionist)

    with django_assert_num_queries(5):
        response = client.get("/showroom/roster/")

    assert response.status_code == 200
    assert len(response.context["form"].rows()) == count
