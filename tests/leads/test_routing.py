"""Who gets a lead: lead_route (round robin), lead_assign and book_reassign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dealership.enums import Role, Seniority
from dealership.models import Customer
from leads.enums import EventKind, Grade, LeadStatus, TaskKind
from leads.models import (
    ConsultantRouting,
    Lead,
    LeadEvent,
    Notification,
    RoutingAvailability,
    Task,
)
from leads.services import book_reassign, lead_assign, lead_capture, lead_route
from leads.services.routing import routing_availability_set, routing_loads_reconcile
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory


def routing(user, *, on_duty: bool = True, minutes_ago: int | None = None):
    last = None if minutes_ago is None else timezone.now() - dt.timedelta(minutes=minutes_ago)
    return ConsultantRouting.objects.create(user=user, store=user.store, on_duty=on_duty,
                                            last_assigned_at=last)


@pytest.fixture
def senior2(make_user, team):
    return make_user(Role.CONSULTANT, username="senior2", seniority=Seniority.SENIOR, team=team)


@pytest.fixture
def desk(make_user):
    return make_user(Role.RECEPTIONIST, username="desk")


@pytest.fixture
def junior2(make_user, team):
    return make_user(Role.CONSULTANT, username="junior2", seniority=Seniority.JUNIOR, team=team)


# --- lead_route ---------------------------------------------------------------------------
def test_route_a_lead_goes_to_a_senior(store, consultant, teammate):
    routing(consultant, minutes_ago=1)
    routing(teammate, minutes_ago=60)

    assert lead_route(store=store, grade=Grade.A) == consultant


def test_route_c_lead_goes_to_a_junior(store, consultant, teammate):
    routing(consultant, minutes_ago=60)
    routing(teammate, minutes_ago=1)

    assert lead_route(store=store, grade=Grade.C) == teammate


@pytest.mark.parametrize(("senior_minutes", "junior_minutes", "expected"), [
    (60, 1, "consultant"), (1, 60, "teammate"),
])
def test_route_b_lead_goes_to_anyone_least_recently_assigned(
        request, store, consultant, teammate, senior_minutes, junior_minutes, expected):
    routing(consultant, minutes_ago=senior_minutes)
    routing(teammate, minutes_ago=junior_minutes)

    assert lead_route(store=store, grade=Grade.B) == request.getfixturevalue(expected)


def test_route_skips_consultants_off_duty(store, consultant, senior2, teammate):
    routing(consultant, on_duty=False)
    routing(senior2, minutes_ago=5)
    routing(teammate)

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_skips_consultants_unavailable_today(store, consultant, senior2, desk):
    routing(consultant)
    routing(senior2, minutes_ago=5)  # would come second without today's availability
    routing_availability_set(store=store, day=store.today(), actor=desk,
                             availability={consultant: False, senior2: True})

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_with_availability_today_skips_consultants_it_does_not_name(
        store, consultant, senior2, desk):
    """The roster names who is in: a consultant left off it takes no new leads."""
    routing(consultant)
    routing(senior2, minutes_ago=5)
    routing_availability_set(store=store, day=store.today(), actor=desk,
                             availability={senior2: True})

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_with_nobody_available_today_goes_to_nobody(store, consultant, desk):
    routing(consultant)
    routing_availability_set(store=store, day=store.today(), actor=desk,
                             availability={consultant: False})

    assert lead_route(store=store, grade=Grade.A) is None


def test_route_available_today_but_switched_off_duty_gets_none(store, consultant, senior2,
                                                              desk):
    routing(consultant, on_duty=False)
    routing(senior2, minutes_ago=5)
    routing_availability_set(store=store, day=store.today(), actor=desk,
                             availability={consultant: True, senior2: True})

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_without_availability_today_uses_the_switches_alone(store, consultant, senior2,
                                                                  desk):
    routing(consultant)
    routing(senior2, minutes_ago=5)
    routing_availability_set(store=store, day=store.today() - dt.timedelta(days=1),
                             actor=desk, availability={consultant: False})

    assert lead_route(store=store, grade=Grade.A) == consultant


# --- routing_availability_set ------------------------------------------------------------
def test_availability_set_updates_the_days_rows_in_place(store, consultant, senior2, desk):
    today = store.today()
    routing_availability_set(store=store, day=today, actor=desk,
                             availability={consultant: True, senior2: True})

    routing_availability_set(store=store, day=today, actor=desk,
                             availability={consultant: False})

    rows = RoutingAvailability.objects.filter(store=store, day=today).order_by("user__username")
    assert [(row.user.username, row.available) for row in rows] == [
        ("con", False), ("senior2", True)]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.MARKETING])
def test_availability_set_by_a_role_that_keeps_no_roster_is_refused(store, consultant,
                                                                     make_user, role):
    with pytest.raises(PermissionDenied):
        routing_availability_set(store=store, day=store.today(), actor=make_user(role),
                                 availability={consultant: False})

    assert not RoutingAvailability.objects.exists()


def test_availability_set_by_another_stores_desk_is_refused(store, other_store, consultant):
    desk = UserFactory(username="desk2", role=Role.RECEPTIONIST, store=other_store)

    with pytest.raises(PermissionDenied):
        routing_availability_set(store=store, day=store.today(), actor=desk,
                                 availability={consultant: False})

    assert not RoutingAvailability.objects.exists()


def test_availability_set_refuses_another_stores_consultant(store, consultant, outsider,
                                                            manager, in_english):
    with pytest.raises(ValidationError) as refused:
        routing_availability_set(store=store, day=store.today(), actor=manager,
                                 availability={consultant: True, outsider: True})

    assert refused.value.messages == ["Only consultants of this store take its leads."]
    assert not RoutingAvailability.objects.exists()


def test_route_round_robin_takes_turns_least_recent_first(store, consultant, senior2,
                                                          teammate):
    routing(consultant, minutes_ago=10)
    routing(senior2, minutes_ago=30)
    routing(teammate, minutes_ago=20)

    picked = [lead_route(store=store, grade=Grade.B) for _ in range(4)]

    assert picked == [senior2, teammate, consultant, senior2]


def test_route_never_assigned_goes_first(store, consultant, teammate, junior2):
    routing(teammate, minutes_ago=60 * 24 * 30)
    routing(junior2)

    assert lead_route(store=store, grade=Grade.C) == junior2


def test_route_tie_goes_to_the_smaller_open_load(store, consultant, senior2):
    routing(consultant)
    routing(senior2)
    LeadFactory.create_batch(2, store=store, owner=consultant, status=LeadStatus.CONTACTED)
    LeadFactory(store=store, owner=senior2, status=LeadStatus.NEGOTIATING)
    routing_loads_reconcile()  # the factory bypasses the services that keep the loads

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_load_counts_open_leads_only(store, consultant, senior2):
    routing(consultant)
    routing(senior2)
    LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT)
    LeadFactory.create_batch(3, store=store, owner=senior2, status=LeadStatus.WON,
                             closed_at=timezone.now())
    routing_loads_reconcile()  # the factory bypasses the services that keep the loads

    assert lead_route(store=store, grade=Grade.A) == senior2


def test_route_without_wanted_seniority_on_duty_takes_anyone_on_duty(
        store, consultant, teammate, junior2):
    routing(consultant, on_duty=False)
    routing(teammate, minutes_ago=5)
    routing(junior2, minutes_ago=50)

    assert lead_route(store=store, grade=Grade.A) == junior2


def test_route_with_nobody_on_duty_returns_none(store, consultant, teammate):
    routing(consultant, on_duty=False)
    routing(teammate, on_duty=False)

    assert lead_route(store=store, grade=Grade.B) is None


def test_route_ignores_inactive_staff_and_other_roles_and_stores(
        store, consultant, supervisor, manager, outsider):
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    routing(outsider)

    assert lead_route(store=store, grade=Grade.B) is None


def test_route_creates_missing_routing_rows_on_duty(store, consultant, teammate):
    picked = lead_route(store=store, grade=Grade.C)

    assert picked == teammate
    rows = {row.user_id: row for row in ConsultantRouting.objects.all()}
    assert set(rows) == {consultant.pk, teammate.pk}
    assert rows[consultant.pk].on_duty and rows[teammate.pk].on_duty
    assert rows[consultant.pk].last_assigned_at is None
    assert rows[teammate.pk].last_assigned_at is not None


def test_route_excludes_given_consultants(store, consultant, senior2):
    routing(consultant, minutes_ago=60)
    routing(senior2, minutes_ago=1)

    assert lead_route(store=store, grade=Grade.A, exclude=(consultant.pk,)) == senior2


def test_captured_leads_follow_the_round_robin(store, consultant, senior2, teammate):
    routing(consultant, minutes_ago=3)
    routing(senior2, minutes_ago=2)
    routing(teammate, minutes_ago=1)

    owners = [lead_capture(store=store, actor=None, name="客户", phone=f"+861390000000{i}",
                           channel="website", purchase_window="1m").lead.owner
              for i in range(3)]

    assert owners == [consultant, senior2, teammate]


# --- lead_assign --------------------------------------------------------------------------
def test_assign_by_supervisor_moves_lead_and_customer_with_audit(store, consultant, teammate,
                                                                 supervisor):
    lead = LeadFactory(store=store, owner=consultant)

    lead_assign(lead=lead, to=teammate, actor=supervisor, reason="王芳休假")

    lead.refresh_from_db()
    lead.customer.refresh_from_db()
    assert (lead.owner, lead.customer.owner, lead.pooled_at) == (teammate, teammate, None)
    entry = lead.events.get()
    assert (entry.kind, entry.actor, entry.note) == (EventKind.ASSIGNED, supervisor, "王芳休假")
    assert entry.data == {"from_owner": consultant.pk, "to_owner": teammate.pk}
    assert list(Notification.objects.values_list("user", "lead", "kind")) == [
        (teammate.pk, lead.pk, EventKind.ASSIGNED)]


def test_assign_from_the_pool_by_manager(store, teammate, manager):
    lead = LeadFactory(store=store, owner=None, pooled_at=timezone.now())

    lead_assign(lead=lead, to=teammate, actor=manager)

    lead.refresh_from_db()
    assert (lead.owner, lead.pooled_at) == (teammate, None)
    assert lead.events.get().data == {"from_owner": None, "to_owner": teammate.pk}


def test_assign_hands_the_open_tasks_over_too(store, consultant, teammate, supervisor):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT,
                       dormant_at=timezone.now())
    today = timezone.localdate()
    open_task = Task.objects.create(store=store, lead=lead, assignee=consultant,
                                    kind=TaskKind.REACTIVATE, due_on=today)
    done_task = Task.objects.create(store=store, lead=lead, assignee=consultant,
                                    kind=TaskKind.FOLLOW_UP, due_on=today,
                                    done_at=timezone.now())

    lead_assign(lead=lead, to=teammate, actor=supervisor)

    assert dict(Task.objects.values_list("pk", "assignee")) == {
        open_task.pk: teammate.pk, done_task.pk: consultant.pk}


def test_assign_a_closed_lead_is_refused(store, consultant, teammate, supervisor):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                       closed_at=timezone.now())

    with translation.override("en"), pytest.raises(ValidationError) as error:
        lead_assign(lead=lead, to=teammate, actor=supervisor)

    assert error.value.messages == ["This lead is already closed."]
    lead.refresh_from_db()
    assert (lead.owner, lead.customer.owner) == (consultant, consultant)
    assert LeadEvent.objects.count() == 0


def test_assign_by_a_consultant_is_refused(store, consultant, teammate):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, to=teammate, actor=consultant)

    lead.refresh_from_db()
    assert lead.owner == consultant
    assert LeadEvent.objects.count() == 0


def test_assign_to_another_store_or_a_non_consultant_is_refused(
        store, consultant, supervisor, outsider, manager):
    lead = LeadFactory(store=store, owner=consultant)

    for target in (outsider, manager):
        with translation.override("en"), pytest.raises(
                ValidationError, match="Leads go to active consultants of the same store"):
            lead_assign(lead=lead, to=target, actor=supervisor)

    lead.refresh_from_db()
    assert lead.owner == consultant


def test_assign_by_a_manager_of_another_store_is_refused(store, consultant, teammate,
                                                          other_store, make_user):
    lead = LeadFactory(store=store, owner=consultant)
    foreign = make_user(Role.MANAGER, username="mgr2", store=other_store)

    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, to=teammate, actor=foreign)


# --- book_reassign ------------------------------------------------------------------------
def test_book_reassign_moves_open_leads_and_every_customer(store, consultant, teammate,
                                                           manager):
    open_leads = [LeadFactory(store=store, owner=consultant, status=status)
                  for status in (LeadStatus.NEW, LeadStatus.NEGOTIATING, LeadStatus.DORMANT)]
    won = LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                      closed_at=timezone.now())
    no_lead = CustomerFactory(store=store, owner=consultant)

    moved = book_reassign(from_user=consultant, to_user=teammate, actor=manager)

    assert moved == 3
    assert set(Lead.objects.filter(owner=teammate)) == set(open_leads)
    assert list(Lead.objects.filter(owner=consultant)) == [won]
    assert Customer.objects.filter(owner=consultant).count() == 0
    assert set(Customer.objects.filter(owner=teammate)) == (
        {lead.customer for lead in open_leads} | {won.customer, no_lead})
    events = LeadEvent.objects.order_by("lead_id")
    assert [(e.lead_id, e.kind, e.actor_id, e.data) for e in events] == [
        (lead.pk, EventKind.ASSIGNED, manager.pk,
         {"from_owner": consultant.pk, "to_owner": teammate.pk})
        for lead in sorted(open_leads, key=lambda lead: lead.pk)]


def test_book_reassign_hands_the_open_tasks_over_too(store, consultant, teammate, manager):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT,
                       dormant_at=timezone.now())
    task = Task.objects.create(store=store, lead=lead, assignee=consultant,
                               kind=TaskKind.REACTIVATE, due_on=timezone.localdate())

    book_reassign(from_user=consultant, to_user=teammate, actor=manager)

    task.refresh_from_db()
    assert task.assignee == teammate


def test_book_reassign_by_a_supervisor_is_refused(store, consultant, teammate, supervisor):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(PermissionDenied):
        book_reassign(from_user=consultant, to_user=teammate, actor=supervisor)

    lead.refresh_from_db()
    assert lead.owner == consultant
    assert LeadEvent.objects.count() == 0


def test_book_reassign_to_self_or_another_store_is_refused(store, consultant, outsider,
                                                           manager):
    lead = LeadFactory(store=store, owner=consultant)

    for target in (consultant, outsider):
        with translation.override("en"), pytest.raises(
                ValidationError, match="Choose another active consultant of the same store"):
            book_reassign(from_user=consultant, to_user=target, actor=manager)

    lead.refresh_from_db()
    lead.customer.refresh_from_db()
    assert (lead.owner, lead.customer.owner) == (consultant, consultant)
    assert LeadEvent.objects.count() == 0


def test_book_reassign_by_a_manager_of_another_store_is_refused(
        store, consultant, teammate, other_store, make_user):
    foreign = make_user(Role.MANAGER, username="mgr2", store=other_store)

    with pytest.raises(PermissionDenied):
        book_reassign(from_user=consultant, to_user=teammate, actor=foreign)
