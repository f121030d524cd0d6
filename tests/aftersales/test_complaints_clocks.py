"""The three clocks of a complaint (2 h / 24 h / 48 h in clock hours) as the clock moves:
met, breached, running with time left; the SLA state; the report's "met all deadlines";
the countdowns as words."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.selectors.complaints import (
    ClockState,
    SlaState,
    complaint_clock_states,
    complaint_met_all_deadlines,
    complaint_sla_state,
)
from aftersales.templatetags.complaint_tags import complaint_clock_text, complaint_duration
from dealership.enums import Role
from tests.aftersales.factories_complaints import T0, complaint_record, complaint_step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def complaint(carer, customer):
    return complaint_record(carer, customer)


def states(complaint, now) -> list[tuple[str, str]]:
    return [(c.clock, c.state) for c in complaint_clock_states(complaint, now)]


def test_fresh_complaint_all_clocks_run_on_track(complaint):
    now = T0 + 48 * MINUTE

    clocks = complaint_clock_states(complaint, now)

    assert [(c.clock, c.state, c.left) for c in clocks] == [
        ("response", ClockState.RUNNING, 72 * MINUTE),
        ("proposal", ClockState.RUNNING, 23 * HOUR + 12 * MINUTE),
        ("resolution", ClockState.RUNNING, 47 * HOUR + 12 * MINUTE)]
    assert complaint_sla_state(complaint, now) == SlaState.ON_TRACK
    assert complaint_clock_text(clocks[0]) == "1 h 12 min left"
    assert complaint_met_all_deadlines(complaint, now) is None


def test_under_a_quarter_of_the_response_clock_left_is_due_soon(complaint):
    # 2 h clock: a quarter is 30 min; at 1 h 31 min 29 min are left.
    assert complaint_sla_state(complaint, T0 + 90 * MINUTE) == SlaState.ON_TRACK
    assert complaint_sla_state(complaint, T0 + 91 * MINUTE) == SlaState.DUE_SOON


def test_past_due_without_a_response_is_breached_and_says_by_how_much(complaint):
    now = T0 + 5 * HOUR

    clocks = complaint_clock_states(complaint, now)

    assert states(complaint, now) == [("response", ClockState.BREACHED),
                                      ("proposal", ClockState.RUNNING),
                                      ("resolution", ClockState.RUNNING)]
    assert complaint_clock_text(clocks[0]) == "overdue by 3 h"
    assert complaint_sla_state(complaint, now) == SlaState.BREACHED
    assert complaint_met_all_deadlines(complaint, now) is False


def test_a_late_response_stays_breached_once_given_but_the_board_looks_ahead(carer,
                                                                            complaint):
    complaint_step(carer, complaint, "respond", now=T0 + 3 * HOUR)
    complaint.refresh_from_db()
    now = T0 + 4 * HOUR

    clocks = complaint_clock_states(complaint, now)

    assert states(complaint, now) == [("response", ClockState.BREACHED),
                                      ("proposal", ClockState.RUNNING),
                                      ("resolution", ClockState.RUNNING)]
    assert complaint_clock_text(clocks[0]) == "met 1 h late"
    # The proposal clock has 20 h left: on track, but not a complaint that met every deadline.
    assert complaint_sla_state(complaint, now) == SlaState.ON_TRACK
    assert complaint_met_all_deadlines(complaint, now) is False


def test_everything_in_time_met_all_deadlines_awaiting_feedback_then_closed(carer,
                                                                           complaint):
    complaint_step(carer, complaint, "respond", now=T0 + HOUR)
    complaint_step(carer, complaint, "propose", now=T0 + 20 * HOUR)
    complaint_step(carer, complaint, "resolve", now=T0 + 47 * HOUR)
    complaint.refresh_from_db()
    later = T0 + 100 * HOUR

    assert states(complaint, later) == [("response", ClockState.MET),
                                        ("proposal", ClockState.MET),
                                        ("resolution", ClockState.MET)]
    assert complaint_sla_state(complaint, later) == SlaState.AWAITING_FEEDBACK
    assert complaint_met_all_deadlines(complaint, later) is True
    assert complaint_clock_text(complaint_clock_states(complaint, later)[2]) == "met in time"

    complaint_step(carer, complaint, "close", now=later)
    complaint.refresh_from_db()
    assert complaint_sla_state(complaint, later) == SlaState.CLOSED


def test_reopening_moves_the_clocks_to_the_new_round(carer, complaint):
    complaint_step(carer, complaint, "resolve", now=T0 + HOUR)
    reopened = T0 + 10 * HOUR
    complaint_step(carer, complaint, "reopen", now=reopened)
    complaint.refresh_from_db()

    clocks = complaint_clock_states(complaint, reopened + 30 * MINUTE)

    assert [(c.state, c.left) for c in clocks] == [
        (ClockState.RUNNING, 90 * MINUTE), (ClockState.RUNNING, 23 * HOUR + 30 * MINUTE),
        (ClockState.RUNNING, 47 * HOUR + 30 * MINUTE)]
    assert complaint_sla_state(complaint, reopened + 30 * MINUTE) == SlaState.ON_TRACK


@pytest.mark.parametrize(("value", "text"), [
    (dt.timedelta(seconds=59), "under a minute"),
    (5 * MINUTE + dt.timedelta(seconds=59), "5 min"),
    (3 * HOUR, "3 h"),
    (47 * HOUR + 12 * MINUTE, "47 h 12 min"),
])
def test_durations_in_hours_and_minutes(value, text):
    assert complaint_duration(value) == text
