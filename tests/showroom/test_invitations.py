"""Invitations (邀约): booking, arrival, cancelling, the no-show job, the show rate, the
desk's expected arrivals and the screens with their access rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealership.enums import Role
from leads.enums import EventKind, LeadStatus, LostReason
from leads.models import LeadEvent
from showroom.enums import InvitationStatus, LeadEventKind
from showroom.models import Invitation
from showroom.selectors.invitations import invitation_show_rate, invitations_expected_today
from showroom.services.invitations import (
    invitation_cancel,
    invitation_create,
    invitation_mark_arrived,
    invitations_mark_no_show,
)
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory, store_time, store_today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]



@pytest.fixture
def lead(store, consultant, customer):
    return LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.CONTACTED)


@pytest.fixture
def tomorrow(store):
    return store_today(store) + dt.timedelta(days=1)


def invitation_events(lead) -> list[dict]:
    return [event.data for event in
            LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.INVITATION).order_by("pk")]


# --- invitation_create ---------------------------------------------------------------------
def test_create_advances_lead_to_invited_and_writes_timeline(lead, consultant, tomorrow):
    when = store_time(lead.store, tomorrow, 10, 30)

    invitation = invitation_create(actor=consultant, lead=lead, expected_at=when,
                                   purpose=" 试驾 ")

    invitation.refresh_from_db()
    lead.refresh_from_db()
    assert (invitation.status, invitation.consultant, invitation.created_by,
            invitation.expected_at, invitation.purpose, invitation.store_id) == (
        InvitationStatus.SCHEDULED, consultant, consultant, when, "试驾", lead.store_id)
    assert lead.status == LeadStatus.INVITED
    status_event = LeadEvent.objects.get(lead=lead, kind=EventKind.STATUS)
    assert status_event.data == {"from": "contacted", "to": "invited"}
    assert invitation_events(lead) == [{"invitation": invitation.pk, "action": "scheduled",
                                        "expected_at": when.isoformat()}]
    assert LeadEvent.objects.get(lead=lead, kind=LeadEventKind.INVITATION).note == "试驾"


def test_create_by_supervisor_books_for_the_owner(lead, supervisor, consultant, tomorrow):
    invitation = invitation_create(actor=supervisor, lead=lead,
                                   expected_at=store_time(lead.store, tomorrow, 11))

    assert (invitation.consultant, invitation.created_by) == (consultant, supervisor)


def test_create_lead_further_in_the_funnel_keeps_its_status(lead, consultant, tomorrow):
    lead.status = LeadStatus.TEST_DRIVEN
    lead.save(update_fields=["status"])

    invitation_create(actor=consultant, lead=lead, expected_at=store_time(lead.store,
                                                                           tomorrow, 11))

    lead.refresh_from_db()
    assert lead.status == LeadStatus.TEST_DRIVEN
    assert not LeadEvent.objects.filter(lead=lead, kind=EventKind.STATUS).exists()
    assert [row["action"] for row in invitation_events(lead)] == ["scheduled"]


def test_create_second_scheduled_invitation_refused(lead, consultant, tomorrow):
    invitation_create(actor=consultant, lead=lead, expected_at=store_time(lead.store,
                                                                           tomorrow, 10))

    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=consultant, lead=lead,
                          expected_at=store_time(lead.store, tomorrow, 15))

    assert refused.value.messages == [
        f"The customer is already expected on {tomorrow:%Y-%m-%d} 10:00. Cancel that "
        "invitation before booking another one."]
    assert Invitation.objects.filter(lead=lead).count() == 1


def test_database_refuses_a_second_scheduled_invitation_of_the_lead(lead):
    InvitationFactory(lead=lead)
    InvitationFactory(lead=lead, status=InvitationStatus.CANCELLED)

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(lead=lead)

    assert Invitation.objects.filter(lead=lead).count() == 2


def test_create_after_a_cancelled_one_is_allowed(lead, consultant, tomorrow):
    InvitationFactory(lead=lead, status=InvitationStatus.CANCELLED)

    invitation = invitation_create(actor=consultant, lead=lead,
                                   expected_at=store_time(lead.store, tomorrow, 15))

    assert Invitation.objects.filter(lead=lead, status=InvitationStatus.SCHEDULED).get() \
        == invitation


def test_create_past_time_refused(lead, consultant):
    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=consultant, lead=lead,
                          expected_at=timezone.now() - dt.timedelta(minutes=5))

    assert refused.value.message_dict == {"expected_at": ["The visit must be in the future."]}
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (20, 0), (22, 30)])
def test_create_outside_opening_hours_refused(lead, consultant, tomorrow, hour, minute):
    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=consultant, lead=lead,
                          expected_at=store_time(lead.store, tomorrow, hour, minute))

    assert refused.value.message_dict == {"expected_at": [
        "The showroom is open from 08:30 to 20:00; choose a time in between."]}


def test_create_closed_lead_refused(lead, consultant, tomorrow):
    lead.status, lead.lost_reason = LeadStatus.LOST, LostReason.PRICE
    lead.save(update_fields=["status", "lost_reason"])

    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=consultant, lead=lead,
                          expected_at=store_time(lead.store, tomorrow, 10))

    assert refused.value.messages == ["This lead is closed; it cannot be invited."]


def test_create_pool_lead_refused(store, manager, tomorrow):
    lead = LeadFactory(store=store, owner=None)

    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=manager, lead=lead, expected_at=store_time(store, tomorrow, 10))

    assert refused.value.messages == ["This lead has no consultant yet; assign it first."]


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_create_by_someone_not_working_the_lead_forbidden(request, lead, tomorrow, who):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=request.getfixturevalue(who), lead=lead,
                          expected_at=store_time(lead.store, tomorrow, 10))

    assert not Invitation.objects.exists()


def test_create_by_receptionist_forbidden(lead, make_user, tomorrow):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=make_user(Role.RECEPTIONIST), lead=lead,
                          expected_at=store_time(lead.store, tomorrow, 10))


# --- invitation_mark_arrived ---------------------------------------------------------------
def test_mark_arrived_links_todays_visit(lead, make_user, consultant):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    visit = VisitFactory(store=lead.store, customer=lead.customer, lead=lead,
                         consultant=consultant)
    receptionist = make_user(Role.RECEPTIONIST)

    invitation_mark_arrived(actor=receptionist, invitation=invitation, visit=visit)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.visit) == (InvitationStatus.ARRIVED, visit)
    assert invitation.closed_at is not None
    assert visit.invitation == invitation
    assert [row["action"] for row in invitation_events(lead)] == ["arrived"]
    assert LeadEvent.objects.get(lead=lead, kind=LeadEventKind.INVITATION).actor == receptionist


def test_mark_arrived_without_visit(lead, consultant):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())

    invitation_mark_arrived(actor=consultant, invitation=invitation)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.visit) == (InvitationStatus.ARRIVED, None)


def test_mark_arrived_visit_of_another_customer_refused(lead, consultant, store):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    visit = VisitFactory(store=store, customer=CustomerFactory(store=store),
                         consultant=consultant)

    with pytest.raises(ValidationError) as refused:
        invitation_mark_arrived(actor=consultant, invitation=invitation, visit=visit)

    assert refused.value.message_dict == {"visit": ["This visit is of another customer."]}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SCHEDULED


def test_mark_arrived_visit_of_another_day_refused(lead, consultant):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    visit = VisitFactory(store=lead.store, customer=lead.customer, consultant=consultant,
                         arrived_at=timezone.now() - dt.timedelta(days=2))

    with pytest.raises(ValidationError) as refused:
        invitation_mark_arrived(actor=consultant, invitation=invitation, visit=visit)

    assert refused.value.message_dict == {"visit": ["Only today's visit can be linked."]}


def test_mark_arrived_twice_refused(lead, consultant):
    invitation = InvitationFactory(lead=lead, status=InvitationStatus.ARRIVED)

    with pytest.raises(ValidationError) as refused:
        invitation_mark_arrived(actor=consultant, invitation=invitation)

    assert refused.value.messages == ["This invitation is no longer expected (Arrived)."]


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_mark_arrived_by_another_consultant_forbidden(request, lead, who):
    invitation = InvitationFactory(lead=lead)

    with pytest.raises(PermissionDenied):
        invitation_mark_arrived(actor=request.getfixturevalue(who), invitation=invitation)


# --- invitation_cancel ---------------------------------------------------------------------
def test_cancel_with_reason(lead, consultant):
    invitation = InvitationFactory(lead=lead)

    invitation_cancel(actor=consultant, invitation=invitation, reason="客户出差")

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED
    assert invitation.closed_at is not None
    event = LeadEvent.objects.get(lead=lead, kind=LeadEventKind.INVITATION)
    assert (event.data["action"], event.note, event.actor) == ("cancelled", "客户出差",
                                                              consultant)


def test_cancel_without_reason_refused(lead, consultant):
    invitation = InvitationFactory(lead=lead)

    with pytest.raises(ValidationError) as refused:
        invitation_cancel(actor=consultant, invitation=invitation, reason="  ")

    assert refused.value.message_dict == {"reason": ["Say why the invitation is cancelled."]}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SCHEDULED


def test_cancel_by_receptionist_forbidden(lead, make_user):
    with pytest.raises(PermissionDenied):
        invitation_cancel(actor=make_user(Role.RECEPTIONIST),
                          invitation=InvitationFactory(lead=lead), reason="不来了")


# --- The no-show job -----------------------------------------------------------------------
def test_no_show_job_leaves_todays_invitation_until_the_store_closes(lead, store):
    day = dt.date(2026, 3, 10)
    invitation = InvitationFactory(lead=lead, expected_at=store_time(store, day, 10))

    changed = invitations_mark_no_show(now=store_time(store, day, 19, 59))

    invitation.refresh_from_db()
    assert (changed, invitation.status) == (0, InvitationStatus.SCHEDULED)
    assert invitation_events(lead) == []


def test_no_show_job_marks_after_closing_and_is_idempotent(lead, store):
    day = dt.date(2026, 3, 10)
    invitation = InvitationFactory(lead=lead, expected_at=store_time(store, day, 10))
    now = store_time(store, day, 23, 30)

    first = invitations_mark_no_show(now=now)
    second = invitations_mark_no_show(now=now + dt.timedelta(minutes=1))

    invitation.refresh_from_db()
    assert (first, second) == (1, 0)
    assert (invitation.status, invitation.closed_at) == (InvitationStatus.NO_SHOW, now)
    assert invitation_events(lead) == [{"invitation": invitation.pk, "action": "no_show",
                                        "expected_at": invitation.expected_at.isoformat()}]
    assert LeadEvent.objects.get(lead=lead, kind=LeadEventKind.INVITATION).created_at == now


def test_no_show_job_marks_earlier_days_at_any_hour(lead, store):
    day = dt.date(2026, 3, 10)
    invitation = InvitationFactory(lead=lead, expected_at=store_time(store, day, 18))

    changed = invitations_mark_no_show(now=store_time(store, day + dt.timedelta(days=1), 0, 5))

    invitation.refresh_from_db()
    assert (changed, invitation.status) == (1, InvitationStatus.NO_SHOW)


def test_no_show_job_leaves_arrived_and_cancelled_alone(lead, store):
    day = dt.date(2026, 3, 10)
    arrived = InvitationFactory(lead=lead, expected_at=store_time(store, day, 10),
                                status=InvitationStatus.ARRIVED)
    cancelled = InvitationFactory(lead=lead, expected_at=store_time(store, day, 11),
                                  status=InvitationStatus.CANCELLED)

    changed = invitations_mark_no_show(now=store_time(store, day + dt.timedelta(days=2), 1))

    assert changed == 0
    assert list(Invitation.objects.order_by("pk").values_list("pk", "status")) == [
        (arrived.pk, InvitationStatus.ARRIVED), (cancelled.pk, InvitationStatus.CANCELLED)]


def test_no_show_job_respects_each_stores_time_zone(lead, store):
    berlin = StoreFactory(code="BER", timezone="Europe/Berlin")
    berlin_owner = UserFactory(role=Role.CONSULTANT, store=berlin)
    berlin_lead = LeadFactory(store=berlin, owner=berlin_owner)
    day = dt.date(2026, 1, 15)
    in_shanghai = InvitationFactory(lead=lead, expected_at=store_time(store, day, 10))
    in_berlin = InvitationFactory(lead=berlin_lead, expected_at=store_time(berlin, day, 10))
    # 00:30 on the 16th in Shanghai is 17:30 on the 15th in Berlin, before it closes.
    now = store_time(store, day + dt.timedelta(days=1), 0, 30)

    changed = invitations_mark_no_show(now=now)

    in_shanghai.refresh_from_db()
    in_berlin.refresh_from_db()
    assert changed == 1
    assert (in_shanghai.status, in_berlin.status) == (InvitationStatus.NO_SHOW,
                                                       InvitationStatus.SCHEDULED)
    # 20:00 in Berlin: its day is over too.
    assert invitations_mark_no_show(now=store_time(berlin, day, 20)) == 1


# --- Show rate (DESIGN §3) -----------------------------------------------------------------
def test_show_rate_exact_value(store, consultant, teammate, other_store):
    day = dt.date(2026, 3, 10)
    for owner, status in [(consultant, InvitationStatus.ARRIVED),
                          (teammate, InvitationStatus.ARRIVED),
                          (consultant, InvitationStatus.NO_SHOW),
                          (consultant, InvitationStatus.CANCELLED)]:
        InvitationFactory(lead=LeadFactory(store=store, owner=owner),
                          expected_at=store_time(store, day, 10), status=status)
    # Outside the period (the next month's first minute, store time) and another store.
    InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                      expected_at=store_time(store, dt.date(2026, 4, 1), 0, 0),
                      status=InvitationStatus.NO_SHOW)
    outsider = UserFactory(role=Role.CONSULTANT, store=other_store)
    InvitationFactory(lead=LeadFactory(store=other_store, owner=outsider),
                      expected_at=store_time(other_store, day, 10),
                      status=InvitationStatus.NO_SHOW)

    rate = invitation_show_rate(store=store, start=dt.date(2026, 3, 1),
                                end=dt.date(2026, 3, 31))
    mine = invitation_show_rate(store=store, start=dt.date(2026, 3, 1),
                                end=dt.date(2026, 3, 31), consultant=consultant)

    assert (rate.due, rate.arrived, rate.rate, rate.percent) == (3, 2, Decimal("0.6667"),
                                                                 "66.7%")
    assert (mine.due, mine.arrived, mine.rate, mine.percent) == (2, 1, Decimal("0.5000"),
                                                                 "50.0%")


def test_show_rate_nothing_due_is_none(store):
    rate = invitation_show_rate(store=store, start=dt.date(2026, 3, 1),
                                end=dt.date(2026, 3, 31))

    assert (rate.due, rate.arrived, rate.rate, rate.percent) == (0, 0, None, "—")


# --- Expected today (the desk) -------------------------------------------------------------
def test_expected_today_lists_scheduled_and_arrived_of_the_day(store, consultant):
    today = store_today(store)
    early = InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                              expected_at=store_time(store, today, 9))
    arrived = InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                                expected_at=store_time(store, today, 11),
                                status=InvitationStatus.ARRIVED)
    for status, day in [(InvitationStatus.CANCELLED, today),
                        (InvitationStatus.SCHEDULED, today + dt.timedelta(days=1)),
                        (InvitationStatus.NO_SHOW, today - dt.timedelta(days=1))]:
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                          expected_at=store_time(store, day, 10), status=status)

    assert invitations_expected_today(store=store, day=today) == [early, arrived]


@pytest.mark.parametrize("count", [1, 3])
def test_expected_today_runs_one_query(store, consultant, count, django_assert_num_queries):
    today = store_today(store)
    for number in range(count):
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                          expected_at=store_time(store, today, 10 + number))

    with django_assert_num_queries(1):
        rows = invitations_expected_today(store=store, day=today)
        shown = [(row.lead.customer.phone_masked, row.consultant.name) for row in rows]

    assert len(shown) == count


# --- Screens -------------------------------------------------------------------------------
def test_list_consultant_sees_only_own(client, store, lead, consultant, teammate):
    mine = InvitationFactory(lead=lead, expected_at=timezone.now())
    InvitationFactory(lead=LeadFactory(store=store, owner=teammate),
                      expected_at=timezone.now())
    client.force_login(consultant)

    response = client.get("/showroom/invitations/")

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine]


def test_list_receptionist_sees_the_store_with_masked_phones(client, store, lead, teammate,
                                                            make_user):
    first = InvitationFactory(lead=lead, expected_at=timezone.now())
    second = InvitationFactory(lead=LeadFactory(store=store, owner=teammate),
                               expected_at=timezone.now() + dt.timedelta(minutes=5))
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/showroom/invitations/")

    html = response.content.decode()
    assert list(response.context["page"].object_list) == [first, second]
    assert "138****5678" in html
    assert "13812345678" not in html


def test_list_shows_show_rate_of_the_month(client, store, lead, consultant):
    today = store_today(store)
    InvitationFactory(lead=lead, expected_at=store_time(store, today, 10),
                      status=InvitationStatus.ARRIVED)
    client.force_login(consultant)

    response = client.get("/showroom/invitations/")
    empty = client.get("/showroom/invitations/", {"month": "2001-01"})

    assert response.context["show_rate"].percent == "100.0%"
    assert 'data-testid="show-rate">100.0%<' in response.content.decode()
    assert 'data-testid="show-rate">—<' in empty.content.decode()


def test_list_bad_month_is_400_with_message(client, consultant):
    client.force_login(english(consultant))

    response = client.get("/showroom/invitations/", {"month": "2026-13"})

    assert response.status_code == 400
    assert "Give the month as YYYY-MM." in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_list_month_at_the_end_of_time_is_400_with_message(client, consultant, month):
    client.force_login(english(consultant))

    response = client.get("/showroom/invitations/", {"month": month})

    assert response.status_code == 400
    assert response.context["form"].errors == {"month": ["Give the month as YYYY-MM."]}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MARKETING])
def test_list_other_roles_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/showroom/invitations/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_is_constant(client, store, consultant, count,
                                      django_assert_num_queries):
    for number in range(count):
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                          expected_at=timezone.now() + dt.timedelta(minutes=number))
    client.force_login(consultant)

    # session, user, store; count, rows (lead, customer, consultant, owner, team); show rate
    with django_assert_num_queries(6):
        response = client.get("/showroom/invitations/")

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_list_supervisor_query_count_is_constant(client, store, consultant, supervisor, count,
                                                 django_assert_num_queries):
    for number in range(count):
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                          expected_at=timezone.now() + dt.timedelta(minutes=number))
    client.force_login(supervisor)

    with django_assert_num_queries(6):
        response = client.get("/showroom/invitations/")

    assert [row.can_cancel for row in response.context["page"].object_list] == [True] * count


def test_create_view_books_and_returns_to_the_lead(client, lead, consultant, tomorrow):
    client.force_login(consultant)

    response = client.post(f"/showroom/invitations/new/?lead={lead.pk}",
                           {"expected_at": f"{tomorrow:%Y-%m-%d}T14:30", "purpose": "试驾"})

    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    invitation = Invitation.objects.get(lead=lead)
    assert invitation.expected_at == store_time(lead.store, tomorrow, 14, 30)


def test_create_view_refusal_keeps_input(client, lead, consultant, tomorrow):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/invitations/new/?lead={lead.pk}",
                           {"expected_at": f"{tomorrow:%Y-%m-%d}T21:00", "purpose": "谈价格"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "The showroom is open from 08:30 to 20:00; choose a time in between." in html
    assert 'value="谈价格"' in html
    assert not Invitation.objects.exists()


def test_create_view_other_consultants_lead_is_404(client, lead, teammate):
    client.force_login(teammate)

    assert client.get(f"/showroom/invitations/new/?lead={lead.pk}").status_code == 404
    assert client.get("/showroom/invitations/new/?lead=abc").status_code == 404


def test_create_view_receptionist_forbidden(client, lead, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get(f"/showroom/invitations/new/?lead={lead.pk}").status_code == 403


def test_arrived_view_from_the_desk_redirects_back(client, lead, make_user):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/",
                           {"next": "/showroom/desk/"})

    invitation.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/showroom/desk/")
    assert invitation.status == InvitationStatus.ARRIVED


def test_arrived_view_ignores_an_outside_next(client, lead, manager):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    client.force_login(manager)

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/",
                           {"next": "https://evil.example/"})

    assert response["Location"] == "/showroom/invitations/"


def test_arrived_view_htmx_returns_expected_arrivals(client, lead, make_user):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    client.force_login(english(make_user(Role.RECEPTIONIST)))

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/",
                           HTTP_HX_TARGET="expected-arrivals", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="expected-arrivals"')
    assert '<p class="notice" role="status">张三丰 has arrived.</p>' in html
    assert [row.status for row in response.context["invitations"]] == [
        InvitationStatus.ARRIVED]


def test_arrived_view_htmx_refusal_is_400_row(client, lead, consultant):
    invitation = InvitationFactory(lead=lead, status=InvitationStatus.CANCELLED)
    client.force_login(english(consultant))

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/",
                           HTTP_HX_TARGET=f"invitation-row-{invitation.pk}", **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith(f'<tbody id="invitation-row-{invitation.pk}"')
    assert ('<span class="notice" role="status">This invitation is no longer expected '
            '(Cancelled).</span>') in html


def test_arrived_view_other_consultant_is_404(client, lead, teammate):
    invitation = InvitationFactory(lead=lead)
    client.force_login(teammate)

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/")

    invitation.refresh_from_db()
    assert response.status_code == 404
    assert invitation.status == InvitationStatus.SCHEDULED


def test_cancel_view_cancels(client, lead, consultant):
    invitation = InvitationFactory(lead=lead)
    client.force_login(consultant)

    page = client.get(f"/showroom/invitations/{invitation.pk}/cancel/")
    response = client.post(f"/showroom/invitations/{invitation.pk}/cancel/",
                           {"reason": "客户改期"})

    invitation.refresh_from_db()
    assert page.status_code == 200
    assert (response.status_code, response["Location"]) == (302, "/showroom/invitations/")
    assert invitation.status == InvitationStatus.CANCELLED


def test_cancel_view_without_reason_is_400(client, lead, consultant):
    invitation = InvitationFactory(lead=lead)
    client.force_login(consultant)

    response = client.post(f"/showroom/invitations/{invitation.pk}/cancel/", {"reason": ""})

    invitation.refresh_from_db()
    assert response.status_code == 400
    assert invitation.status == InvitationStatus.SCHEDULED


def test_cancel_view_other_consultant_is_404(client, lead, teammate):
    invitation = InvitationFactory(lead=lead)
    client.force_login(teammate)

    assert client.get(f"/showroom/invitations/{invitation.pk}/cancel/").status_code == 404


def test_cancel_view_receptionist_forbidden(client, lead, make_user):
    invitation = InvitationFactory(lead=lead)
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.post(f"/showroom/invitations/{invitation.pk}/cancel/",
                       {"reason": "x"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SCHEDULED


def test_arrived_view_htmx_from_the_list_returns_the_row(client, lead, consultant):
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now())
    client.force_login(english(consultant))

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/",
                           HTTP_HX_TARGET=f"invitation-row-{invitation.pk}", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="invitation-status">Arrived<' in html
    assert "/arrived/" not in html


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_lead_at_once_make_one_invitation(lead, consultant, supervisor,
                                                              tomorrow):
    require_postgres()

    def book(actor, hour):
        return lambda: invitation_create(actor=actor, lead=lead,
                                         expected_at=store_time(lead.store, tomorrow, hour))

    results = race(book(consultant, 10), book(supervisor, 15), timeout=30)

    assert sorted(type(result).__name__ for result in results) == ["Invitation",
                                                                   "ValidationError"]
    assert Invitation.objects.filter(lead=lead).count() == 1


def test_create_view_form_for_the_owner(client, lead, consultant):
    client.force_login(english(consultant))

    response = client.get(f"/showroom/invitations/new/?lead={lead.pk}")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="/showroom/invitations/new/?lead={lead.pk}"' in html
    assert "138****5678" in html
    assert 'type="datetime-local"' in html
