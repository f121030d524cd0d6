"""The desk's roster tells lead routing who takes new leads today.

Routing reads only its own availability rows; the roster services push them. A consultant
off on today's roster gets no new leads, one away (at lunch) still does, and a store that
keeps no roster routes by the Team page's on-duty switches alone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dealership.enums import Role
from leads.enums import Grade
from leads.models import ConsultantRouting, RoutingAvailability
from leads.services import lead_route
from showroom.enums import DutyState
from showroom.models import DutyShift
from showroom.services import duty_set_state, roster_set
from tests.factories import UserFactory
from tests.showroom.factories import DutyShiftFactory


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def first_in_turn(store, consultant, teammate):
    """Without a roster, the consultant's turn comes first: they got a lead longest ago."""
    now = timezone.now()
    ConsultantRouting.objects.create(user=consultant, store=store,
                                     last_assigned_at=now - dt.timedelta(hours=2))
    ConsultantRouting.objects.create(user=teammate, store=store,
                                     last_assigned_at=now - dt.timedelta(hours=1))
    return consultant


def availability(store, day) -> dict[str, bool]:
    return dict(RoutingAvailability.objects.filter(store=store, day=day)
                .values_list("user__username", "available"))


def test_store_without_a_roster_routes_by_the_switches(store, first_in_turn, teammate):
    assert lead_route(store=store, grade=Grade.B) == first_in_turn


def test_store_without_a_roster_skips_a_consultant_switched_off_duty(store, first_in_turn,
                                                                    teammate):
    ConsultantRouting.objects.filter(user=first_in_turn).update(on_duty=False)

    assert lead_route(store=store, grade=Grade.B) == teammate


def test_roster_saved_tells_routing_who_is_in(store, receptionist, first_in_turn, teammate):
    roster_set(store=store, day=store.today(), consultants=[teammate], actor=receptionist)

    assert availability(store, store.today()) == {"mate": True}
    assert lead_route(store=store, grade=Grade.B) == teammate


def test_roster_saved_again_without_a_consultant_marks_them_off(store, receptionist,
                                                                first_in_turn, teammate):
    today = store.today()
    roster_set(store=store, day=today, consultants=[first_in_turn, teammate],
               actor=receptionist)

    roster_set(store=store, day=today, consultants=[teammate], actor=receptionist)

    assert availability(store, today) == {"con": False, "mate": True}
    assert lead_route(store=store, grade=Grade.B) == teammate


def test_roster_of_another_day_leaves_today_to_the_switches(store, receptionist,
                                                            first_in_turn, teammate):
    tomorrow = store.today() + dt.timedelta(days=1)

    roster_set(store=store, day=tomorrow, consultants=[teammate], actor=receptionist)

    assert availability(store, tomorrow) == {"mate": True}
    assert lead_route(store=store, grade=Grade.B) == first_in_turn


def test_consultant_set_off_at_the_desk_gets_no_new_leads(store, receptionist, first_in_turn,
                                                         teammate):
    [shift, _other] = roster_set(store=store, day=store.today(),
                                 consultants=[first_in_turn, teammate], actor=receptionist)

    duty_set_state(shift=shift, state=DutyState.OFF, actor=receptionist)

    assert availability(store, store.today()) == {"con": False, "mate": True}
    assert lead_route(store=store, grade=Grade.B) == teammate


def test_consultant_back_from_off_takes_leads_again(store, receptionist, first_in_turn,
                                                    teammate):
    [shift, _other] = roster_set(store=store, day=store.today(),
                                 consultants=[first_in_turn, teammate], actor=receptionist)
    duty_set_state(shift=shift, state=DutyState.OFF, actor=receptionist)

    duty_set_state(shift=shift, state=DutyState.AVAILABLE, actor=receptionist)

    assert availability(store, store.today()) == {"con": True, "mate": True}
    assert lead_route(store=store, grade=Grade.B) == first_in_turn


def test_consultant_away_at_lunch_still_takes_leads(store, receptionist, first_in_turn,
                                                    teammate):
    [shift, _other] = roster_set(store=store, day=store.today(),
                                 consultants=[first_in_turn, teammate], actor=receptionist)

    duty_set_state(shift=shift, state=DutyState.AWAY, actor=receptionist)

    assert availability(store, store.today()) == {"con": True, "mate": True}
    assert lead_route(store=store, grade=Grade.B) == first_in_turn


def test_set_off_on_a_roster_routing_never_heard_of_pushes_the_whole_day(
        store, receptionist, first_in_turn, teammate, make_user):
    """Shifts written before routing kept its own rows (or by the demo): setting one
    consultant off must not leave routing with a roster of one."""
    third = make_user(Role.CONSULTANT, username="third")
    day = store.today()
    shift = DutyShiftFactory(store=store, date=day, consultant=first_in_turn, position=1)
    DutyShiftFactory(store=store, date=day, consultant=teammate, position=2)
    DutyShiftFactory(store=store, date=day, consultant=third, position=3,
                     state=DutyState.AWAY)

    duty_set_state(shift=shift, state=DutyState.OFF, actor=receptionist)

    assert availability(store, day) == {"con": False, "mate": True, "third": True}


def test_another_stores_roster_does_not_touch_this_stores_routing(
        store, other_store, first_in_turn, teammate):
    desk = UserFactory(username="desk2", role=Role.RECEPTIONIST, store=other_store)
    elsewhere = UserFactory(username="far", role=Role.CONSULTANT, store=other_store)

    roster_set(store=other_store, day=other_store.today(), consultants=[elsewhere],
               actor=desk)

    assert availability(store, store.today()) == {}
    assert lead_route(store=store, grade=Grade.B) == first_in_turn


# --- The migration that hands today's roster over to routing --------------------------------
@pytest.mark.django_db(transaction=True)
def test_migration_keeps_todays_roster_in_effect(store, consultant, teammate):
    utc_today = timezone.now().date()
    DutyShiftFactory(store=store, date=utc_today, consultant=consultant, position=1,
                     state=DutyState.OFF)
    DutyShiftFactory(store=store, date=utc_today, consultant=teammate, position=2,
                     state=DutyState.AWAY)
    DutyShiftFactory(store=store, date=utc_today - dt.timedelta(days=10),
                     consultant=teammate, position=1)  # long gone: routing never asks
    executor = MigrationExecutor(connection)
    before = [("showroom", "0002_alter_invitation_purpose")]
    executor.migrate(before)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert DutyShift.objects.count() == 3
    assert availability(store, utc_today) == {"con": False, "mate": True}
    assert RoutingAvailability.objects.count() == 2
