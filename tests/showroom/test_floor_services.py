"""The floor services: roster and queue, walk-in routing, closing visits, objections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import Channel, LeadStatus
from leads.models import Lead, LeadEvent, Notification
from showroom.enums import (
    DutyState,
    InvitationStatus,
    LeadEventKind,
    ObjectionType,
    OwnerBusy,
    VisitOutcome,
)
from showroom.models import DutyShift, Invitation, Visit
from showroom.selectors.roster import queue_for
from showroom.selectors.talk_tracks import objection_counts, talk_tracks_for
from showroom.selectors.visits import visits_open_for_consultant
from showroom.services import (
    RoutedBy,
    duty_set_state,
    objection_add,
    roster_set,
    talk_track_save,
    visit_add_phone,
    visit_close,
    visit_register,
)
from tests.concurrency import race, require_postgres
from tests.factories import SeriesFactory, TrimFactory, UserFactory
from tests.showroom.factories import (
    DutyShiftFactory,
    ObjectionFactory,
    TalkTrackFactory,
    VisitFactory,
)

# Stories span the hour around now: they run on the business-hours clock.
pytestmark = [pytest.mark.usefixtures("business_hours", "in_english"), pytest.mark.django_db]


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def third(store, team):
    return UserFactory(username="third", name="陈静", role=Role.CONSULTANT, store=store,
                       team=team)


@pytest.fixture
def floor(store, consultant, teammate, third):
    """Today's roster: consultant 1st, teammate 2nd, third 3rd, all waiting."""
    day = store.today()
    return [DutyShiftFactory(store=store, date=day, consultant=c, position=i)
            for i, c in enumerate([consultant, teammate, third], start=1)]


def _names(queue) -> list[tuple[str, str]]:
    return [(str(slot.label), slot.shift.consultant.name) for slot in queue.waiting]


def _register(store, receptionist, **kwargs) -> Visit:
    kwargs.setdefault("arrived_at", timezone.now())
    return visit_register(store=store, actor=receptionist, **kwargs)


def _close(visit, actor, **kwargs) -> Visit:
    kwargs.setdefault("departed_at", timezone.now())
    kwargs.setdefault("outcome", VisitOutcome.FOLLOW_UP)
    return visit_close(visit=visit, actor=actor, **kwargs)


# --- Roster and queue -------------------------------------------------------------------
def test_roster_set_orders_the_queue_and_labels_first_three(store, receptionist, consultant,
                                                            teammate, third):
    day = store.today()

    roster_set(store=store, day=day, consultants=[third, consultant, teammate],
               actor=receptionist)

    assert _names(queue_for(store=store, day=day)) == [
        ("First receptionist", "陈静"), ("Second receptionist", "王芳"),
        ("Third receptionist", "李强")]


def test_roster_set_marks_consultants_left_out_off(store, receptionist, floor, consultant,
                                                   third):
    day = store.today()

    roster_set(store=store, day=day, consultants=[third, consultant], actor=receptionist)

    queue = queue_for(store=store, day=day)
    assert _names(queue) == [("First receptionist", "陈静"), ("Second receptionist", "王芳")]
    assert [s.consultant.name for s in queue.off] == ["李强"]


def test_roster_set_refuses_a_consultant_of_another_store(store, receptionist, outsider):
    with pytest.raises(ValidationError) as refused:
        roster_set(store=store, day=store.today(), consultants=[outsider],
                   actor=receptionist)
    assert refused.value.message_dict == {
        "consultants": ["Only active consultants of this store can be on duty."]}
    assert DutyShift.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_roster_set_twice_at_once_both_succeed_with_one_shift_each(store, receptionist,
                                                                   manager, consultant,
                                                                   teammate, third):
    require_postgres()
    days = [store.today() + dt.timedelta(days=n) for n in range(10)]  # ten races, ten days

    results = [race(*(lambda actor=actor, day=day: roster_set(
        store=store, day=day, consultants=[consultant, teammate, third], actor=actor)
        for actor in (receptionist, manager))) for day in days]

    assert [type(result).__name__ for pair in results for result in pair] == ["list"] * 20
    assert {day: list(DutyShift.objects.filter(store=store, date=day).order_by("position")
                      .values_list("consultant__name", flat=True)) for day in days} == {
        day: ["王芳", "李强", "陈静"] for day in days}


def test_roster_set_refused_to_a_consultant(store, consultant):
    with pytest.raises(PermissionDenied):
        roster_set(store=store, day=store.today(), consultants=[consultant],
                   actor=consultant)


def test_away_consultant_is_skipped_by_the_queue(store, receptionist, floor):
    duty_set_state(shift=floor[0], state=DutyState.AWAY, actor=receptionist)

    visit = _register(store, receptionist)

    assert visit.consultant.name == "李强"
    assert visit.routed_by == RoutedBy.QUEUE
    queue = queue_for(store=store, day=store.today())
    assert _names(queue) == [("First receptionist", "陈静")]
    assert [s.consultant.name for s in queue.away] == ["王芳"]


def test_duty_set_state_is_audited(store, receptionist, floor):
    duty_set_state(shift=floor[0], state=DutyState.AWAY, actor=receptionist)

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_id, entry.changes) == (
        receptionist, AuditAction.UPDATE, str(floor[0].pk),
        {"state": [DutyState.AVAILABLE, DutyState.AWAY]})


def test_back_from_away_joins_the_end_of_the_queue(store, receptionist, floor):
    duty_set_state(shift=floor[0], state=DutyState.AWAY, actor=receptionist)

    duty_set_state(shift=floor[0], state=DutyState.AVAILABLE, actor=receptionist)

    assert [n for _l, n in _names(queue_for(store=store, day=store.today()))] == [
        "李强", "陈静", "王芳"]


def test_duty_set_state_refuses_with_customer_by_hand(store, receptionist, floor):
    with pytest.raises(ValidationError) as refused:
        duty_set_state(shift=floor[0], state=DutyState.WITH_CUSTOMER, actor=receptionist)

    assert refused.value.message_dict == {"state": ["Choose waiting, away or off."]}
    floor[0].refresh_from_db()
    assert floor[0].state == DutyState.AVAILABLE


def test_duty_set_state_refuses_while_a_visit_is_open(store, receptionist, floor):
    _register(store, receptionist)

    with pytest.raises(ValidationError, match="with a customer"):
        duty_set_state(shift=floor[0], state=DutyState.AWAY, actor=receptionist)


def test_assigning_moves_the_next_consultant_to_with_customer(store, receptionist, floor):
    visit = _register(store, receptionist, party_size=3, description="一家三口")

    assert visit.consultant.name == "王芳"
    assert visit.registered_by == receptionist
    floor[0].refresh_from_db()
    assert floor[0].state == DutyState.WITH_CUSTOMER
    assert _names(queue_for(store=store, day=store.today())) == [
        ("First receptionist", "李强"), ("Second receptionist", "陈静")]


def test_closing_puts_the_consultant_at_the_end_of_the_queue(store, receptionist, floor,
                                                             consultant):
    visit = _register(store, receptionist)

    _close(visit, consultant)

    floor[0].refresh_from_db()
    assert (floor[0].state, floor[0].position) == (DutyState.AVAILABLE, 4)
    assert _names(queue_for(store=store, day=store.today())) == [
        ("First receptionist", "李强"), ("Second receptionist", "陈静"),
        ("Third receptionist", "王芳")]


def test_nobody_waiting_asks_the_receptionist_to_choose(store, receptionist, floor):
    for shift in floor:
        duty_set_state(shift=shift, state=DutyState.AWAY, actor=receptionist)

    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist)

    assert refused.value.message_dict == {
        "consultant": ["Nobody is waiting in the queue; choose a consultant."]}
    assert Visit.objects.count() == 0


def test_receptionist_choice_out_of_queue_needs_a_reason(store, receptionist, floor, third):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, consultant=third)
    assert list(refused.value.message_dict) == ["routing_note"]

    visit = _register(store, receptionist, consultant=third, routing_note="客人点名")

    assert (visit.consultant, visit.routed_by, visit.routing_note) == (
        third, RoutedBy.RECEPTIONIST, "客人点名")


def test_register_refused_to_a_consultant(store, consultant, floor):
    with pytest.raises(PermissionDenied):
        _register(store, consultant)


# --- Returning customers ------------------------------------------------------------------
def test_returning_customer_goes_to_their_consultant_not_the_queue(store, receptionist, floor,
                                                                   customer, teammate):
    # 王芳 owns the customer and waits at the end of the queue; 李强 would be next.
    # (Changed in issue 14: while 王芳 is with someone else she no longer gets a second
    # customer; see tests/showroom/test_walk_in_routing.py.)
    floor[0].position = 9
    floor[0].save(update_fields=["position"])
    lead = Lead.objects.create(store=store, customer=customer, owner=customer.owner,
                               channel=Channel.PHONE, status=LeadStatus.CONTACTED)

    visit = _register(store, receptionist, phone=customer.phone, first_visit=False)

    assert (visit.consultant, visit.routed_by) == (customer.owner, RoutedBy.CUSTOMER)
    assert (visit.customer, visit.lead) == (customer, lead)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.VISITED  # visited from the moment they walk in
    assert list(Notification.objects.filter(user=customer.owner)
                .values_list("kind", "lead_id")) == [(LeadEventKind.VISIT, lead.pk)]
    assert _names(queue_for(store=store, day=store.today()))[0] == (
        "First receptionist", "李强")


def test_returning_customer_without_open_lead_is_notified_without_lead(store, receptionist,
                                                                       floor, customer):
    visit = _register(store, receptionist, phone=customer.phone)

    assert (visit.consultant, visit.lead) == (customer.owner, None)
    assert list(Notification.objects.values_list("user_id", "kind", "lead_id")) == [
        (customer.owner_id, LeadEventKind.VISIT, None)]


def test_returning_customer_refuses_another_consultant_while_owner_on_duty(
        store, receptionist, floor, customer, teammate):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, phone=customer.phone, consultant=teammate,
                  routing_note="x")
    assert list(refused.value.message_dict) == ["consultant"]


def test_owner_off_receptionist_must_choose_with_a_reason(store, receptionist, floor,
                                                          customer, teammate):
    duty_set_state(shift=floor[0], state=DutyState.OFF, actor=receptionist)

    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, phone=customer.phone)
    assert sorted(refused.value.message_dict) == ["consultant", "routing_note"]

    visit = _register(store, receptionist, phone=customer.phone, consultant=teammate,
                      routing_note="王芳今天休息")
    assert (visit.consultant, visit.routed_by, visit.routing_note) == (
        teammate, RoutedBy.RECEPTIONIST, "王芳今天休息")
    assert Notification.objects.count() == 0


def test_owner_not_on_the_roster_needs_a_choice(store, receptionist, teammate, customer):
    DutyShiftFactory(store=store, date=store.today(), consultant=teammate, position=1)

    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, phone=customer.phone)

    assert refused.value.message_dict == {
        "consultant": ["This customer's consultant 王芳 is not on the floor; choose another "
                       "consultant and give the reason."],
        "routing_note": ["Say why another consultant serves this customer."],
    }
    assert Visit.objects.count() == 0


def test_invited_customer_walking_in_fulfils_the_invitation(store, receptionist, floor,
                                                            customer):
    lead = Lead.objects.create(store=store, customer=customer, owner=customer.owner,
                               channel=Channel.PHONE, status=LeadStatus.INVITED)
    invitation = Invitation.objects.create(store=store, lead=lead, consultant=customer.owner,
                                           expected_at=timezone.now())

    visit = _register(store, receptionist, phone=customer.phone, first_visit=False)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.visit) == (InvitationStatus.ARRIVED, visit)


def test_new_phone_with_name_creates_customer_and_walk_in_lead(store, receptionist, floor,
                                                               consultant):
    visit = _register(store, receptionist, phone="+8613900001111", name="刘洋")

    lead = visit.lead
    assert (visit.customer.name, visit.customer.phone, visit.customer.owner) == (
        "刘洋", "+8613900001111", consultant)
    assert (lead.channel, lead.owner, lead.status) == (Channel.WALK_IN, consultant,
                                                       LeadStatus.NEW)


def test_new_phone_without_name_is_refused(store, receptionist, floor):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, phone="+8613900001111")
    assert list(refused.value.message_dict) == ["name"]


# --- Closing ---------------------------------------------------------------------------------
def test_visit_close_computes_duration_and_new_lead_becomes_visited(store, receptionist,
                                                                    floor, consultant):
    arrived = timezone.now() - dt.timedelta(minutes=42)
    visit = _register(store, receptionist, arrived_at=arrived, phone="+8613900001111",
                      name="刘洋")
    series = TrimFactory().series

    closed = _close(visit, consultant, departed_at=arrived + dt.timedelta(minutes=42),
                    outcome=VisitOutcome.QUOTE, models_presented=[series],
                    needs={"usage": "family", "budget_min": 150000, "budget_max": 200000,
                           "seats": 5}, note="看了凯美瑞")

    assert closed.duration == dt.timedelta(minutes=42)
    assert (closed.usage, closed.budget_max, closed.seats) == ("family", 200000, 5)
    assert list(closed.models_presented.all()) == [series]
    lead = Lead.objects.get(pk=visit.lead_id)
    assert lead.status == LeadStatus.VISITED
    assert list(LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.VISIT)
                .values_list("data", "note")) == [
        ({"visit": visit.pk, "minutes": 42, "outcome": "quote"}, "看了凯美瑞")]


def test_visit_close_keeps_a_negotiating_lead(store, receptionist, floor, customer):
    lead = Lead.objects.create(store=store, customer=customer, owner=customer.owner,
                               channel=Channel.PHONE, status=LeadStatus.NEGOTIATING)
    visit = _register(store, receptionist, phone=customer.phone)

    _close(visit, customer.owner)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEGOTIATING
    assert LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.VISIT).count() == 1


def test_visit_close_creates_a_lead_for_a_customer_without_one(store, receptionist, floor,
                                                               customer):
    visit = _register(store, receptionist, phone=customer.phone)

    closed = _close(visit, customer.owner)

    assert (closed.lead.customer, closed.lead.status, closed.lead.channel) == (
        customer, LeadStatus.VISITED, Channel.WALK_IN)


def test_closing_twice_is_refused(store, receptionist, floor, consultant):
    visit = _register(store, receptionist)
    _close(visit, consultant)

    with pytest.raises(ValidationError, match="already closed"):
        _close(visit, consultant)


def test_departure_before_arrival_is_refused(store, receptionist, floor, consultant):
    visit = _register(store, receptionist)

    with pytest.raises(ValidationError) as refused:
        _close(visit, consultant, departed_at=visit.arrived_at - dt.timedelta(minutes=1))

    assert list(refused.value.message_dict) == ["departed_at"]
    visit.refresh_from_db()
    assert visit.departed_at is None


def test_another_consultant_cannot_close(store, receptionist, floor, teammate):
    visit = _register(store, receptionist)

    with pytest.raises(PermissionDenied):
        _close(visit, teammate)


def test_supervisor_closes_for_the_team(store, receptionist, floor, supervisor):
    visit = _register(store, receptionist)

    assert _close(visit, supervisor).departed_at is not None


def test_consultant_with_a_customer_waiting_stays_busy_and_receives_them(
        store, receptionist, floor, customer, consultant):
    # Changed in issue 14: the second customer waits for 王芳 instead of being assigned
    # while she is with the first.
    first = _register(store, receptionist)
    waiting = _register(store, receptionist, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)  # 王芳's own customer

    _close(first, consultant)

    floor[0].refresh_from_db()
    waiting.refresh_from_db()
    assert floor[0].state == DutyState.WITH_CUSTOMER
    assert (waiting.consultant, waiting.waiting_for) == (consultant, None)


def test_add_phone_later_links_the_known_customer(store, receptionist, floor, customer):
    visit = _register(store, receptionist)
    lead = Lead.objects.create(store=store, customer=customer, owner=customer.owner,
                               channel=Channel.PHONE, status=LeadStatus.NEW)

    visit_add_phone(visit=visit, actor=receptionist, phone=customer.phone)

    visit.refresh_from_db()
    assert (visit.customer, visit.lead) == (customer, lead)


def test_add_phone_after_closing_records_the_visit_on_a_new_lead(store, receptionist, floor,
                                                                 consultant):
    visit = _close(_register(store, receptionist), consultant)

    visit_add_phone(visit=visit, actor=consultant, phone="+8613900002222", name="孙丽")

    visit.refresh_from_db()
    assert (visit.customer.name, visit.lead.status) == ("孙丽", LeadStatus.VISITED)
    assert LeadEvent.objects.filter(lead=visit.lead, kind=LeadEventKind.VISIT).count() == 1


def test_visits_open_for_consultant(store, receptionist, floor, consultant):
    visit = _register(store, receptionist)
    earlier = timezone.now() - dt.timedelta(hours=2)
    VisitFactory(store=store, consultant=consultant, arrived_at=earlier,
                 departed_at=earlier + dt.timedelta(minutes=30))

    assert list(visits_open_for_consultant(consultant)) == [visit]


# --- Objections and talk tracks ---------------------------------------------------------------
def test_objection_add_and_counts(store, consultant, teammate):
    visit = VisitFactory(store=store, consultant=consultant)
    series = SeriesFactory()

    objection_add(visit=visit, actor=consultant, kind=ObjectionType.PRICE, series=series,
                  note="比4S店隔壁贵两千")
    ObjectionFactory(visit=visit, kind=ObjectionType.SERVICE)

    counts = objection_counts(store=store)
    assert counts.total == 2
    assert [(str(k), n) for k, n in counts.by_kind] == [
        ("About the salesperson", 0), ("About the product", 0), ("About the price", 1),
        ("About the service", 1)]
    assert counts.by_series == [("丰田 凯美瑞", 1), ("No model named", 1)]
    with pytest.raises(PermissionDenied):
        objection_add(visit=visit, actor=teammate, kind=ObjectionType.PRICE, note="x")


def test_objection_add_records_it_in_the_visits_store(store, consultant):
    visit = VisitFactory(store=store, consultant=consultant)

    objection = objection_add(visit=visit, actor=consultant, kind=ObjectionType.PRICE,
                              note="比隔壁贵")

    objection.refresh_from_db()
    assert (objection.store, objection.visit, objection.kind, objection.note) == (
        store, visit, ObjectionType.PRICE, "比隔壁贵")


def test_talk_tracks_for_a_model_include_those_for_every_model(store, manager):
    series = SeriesFactory()
    other = SeriesFactory(name="RAV4")
    general = TalkTrackFactory(store=store, title="通用")
    specific = TalkTrackFactory(store=store, series=series, title="凯美瑞")
    TalkTrackFactory(store=store, series=other, title="RAV4")
    TalkTrackFactory(store=store, kind=ObjectionType.SERVICE, title="服务")

    tracks = talk_tracks_for(store=store, kind=ObjectionType.PRICE, series_id=series.pk)

    assert set(tracks) == {general, specific}


def test_talk_track_save_is_the_managers(store, manager, consultant):
    track = talk_track_save(store=store, actor=manager, kind=ObjectionType.PRICE,
                            title="价格高", body="我们含三年保养。")
    assert (track.updated_by, track.series) == (manager, None)
    with pytest.raises(PermissionDenied):
        talk_track_save(store=store, actor=consultant, kind=ObjectionType.PRICE,
                        title="x", body="y")
