"""Walk-in routing of returning customers (issue 14, item 4): a return needs a phone or a
customer found by name; a busy owner is never given a second reception — the customer
waits for them or goes to the next in the queue, and the owner is told."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import Channel, LeadStatus
from leads.models import Lead, Notification
from showroom.enums import DutyState, LeadEventKind, OwnerBusy, VisitOutcome
from showroom.models import DutyShift, Visit
from showroom.services import RoutedBy, visit_close, visit_hand_over, visit_register
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX, business_now, english
from tests.showroom.factories import DutyShiftFactory

# The story spans the half hour around now: it runs on the business-hours clock.
pytestmark = [pytest.mark.usefixtures("business_hours"), pytest.mark.django_db]

# 王芳's first customer arrived twenty minutes ago (today, in the store) and she has been
# busy since; the receptionist's message names that time in the store's clock.
NOW = business_now().replace(second=0, microsecond=0)
BUSY_SINCE = NOW - dt.timedelta(minutes=20)
SINCE = timezone.localtime(BUSY_SINCE, ZoneInfo("Asia/Shanghai")).strftime("%H:%M")


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def floor(store, consultant, teammate):
    """王芳 (consultant, the customer's owner) 1st, 李强 (teammate) 2nd, both waiting."""
    day = store.today()
    return [DutyShiftFactory(store=store, date=day, consultant=c, position=i)
            for i, c in enumerate([consultant, teammate], start=1)]


@pytest.fixture
def owner_busy(store, receptionist, floor):
    """王芳 receives a first-time visitor from 10:00 (store time); the visit is returned."""
    with mock.patch.object(timezone, "now", return_value=BUSY_SINCE):
        visit = visit_register(store=store, actor=receptionist, arrived_at=BUSY_SINCE)
    assert visit.consultant == floor[0].consultant
    return visit


@pytest.fixture
def clock(business_hours):
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def _register(store, receptionist, **kwargs) -> Visit:
    kwargs.setdefault("arrived_at", timezone.now())
    return visit_register(store=store, actor=receptionist, **kwargs)


def _shift(consultant) -> DutyShift:
    return DutyShift.objects.get(consultant=consultant)


# --- Asking for the phone -------------------------------------------------------------------
@pytest.mark.usefixtures("in_english")
def test_return_without_phone_or_customer_is_refused(store, receptionist, floor):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, first_visit=False)

    assert refused.value.message_dict == {"phone": [
        "A returning customer: ask for their mobile number, or find them by name."]}
    assert Visit.objects.count() == 0
    assert list(DutyShift.objects.values_list("state", flat=True)) == [
        DutyState.AVAILABLE, DutyState.AVAILABLE]


def test_return_found_by_name_goes_to_their_consultant(store, receptionist, floor, customer,
                                                       consultant):
    floor[0].position = 9  # 李强 would be next in the queue
    floor[0].save(update_fields=["position"])

    visit = _register(store, receptionist, first_visit=False, customer=customer)

    assert (visit.consultant, visit.customer, visit.routed_by) == (
        consultant, customer, RoutedBy.CUSTOMER)
    assert _shift(consultant).state == DutyState.WITH_CUSTOMER


@pytest.mark.usefixtures("in_english")
def test_customer_of_another_store_is_refused(store, other_store, receptionist, floor):
    stranger = CustomerFactory(store=other_store, phone="+8613900001111")

    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, first_visit=False, customer=stranger)

    assert refused.value.message_dict == {"customer": ["Choose a customer of this store."]}
    assert Visit.objects.count() == 0


# --- The owner is with someone else -------------------------------------------------------
@pytest.mark.usefixtures("in_english", "clock")
def test_busy_owner_without_a_choice_is_asked_and_nothing_changes(
        store, receptionist, floor, customer, owner_busy):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, first_visit=False, phone=customer.phone)

    assert refused.value.message_dict == {"owner_busy": [
        f"王芳, this customer's consultant, has been with another customer since {SINCE}. Ask "
        "the customer to wait for them, or hand them to the next in the queue."]}
    assert list(Visit.objects.values_list("pk", flat=True)) == [owner_busy.pk]
    assert (_shift(floor[0].consultant).state, _shift(floor[0].consultant).state_since) == (
        DutyState.WITH_CUSTOMER, BUSY_SINCE)
    assert _shift(floor[1].consultant).state == DutyState.AVAILABLE
    assert Notification.objects.count() == 0


@pytest.mark.usefixtures("clock")
def test_busy_owner_wait_registers_the_customer_as_waiting_for_them(
        store, receptionist, floor, customer, consultant, teammate, owner_busy):
    lead = Lead.objects.create(store=store, customer=customer, owner=consultant,
                               channel=Channel.PHONE, status=LeadStatus.CONTACTED)

    visit = _register(store, receptionist, first_visit=False, phone=customer.phone,
                      owner_busy=OwnerBusy.WAIT)

    assert (visit.consultant, visit.waiting_for, visit.routed_by, visit.lead) == (
        None, consultant, RoutedBy.CUSTOMER, lead)
    assert visit.is_waiting
    # Her reception in progress is untouched; 李强 still waits for the next visitor.
    assert (_shift(consultant).state, _shift(consultant).state_since) == (
        DutyState.WITH_CUSTOMER, BUSY_SINCE)
    assert _shift(teammate).state == DutyState.AVAILABLE
    assert list(Notification.objects.values_list("user_id", "kind", "lead_id")) == [
        (consultant.pk, LeadEventKind.VISIT, lead.pk)]


@pytest.mark.usefixtures("in_english", "clock")
def test_busy_owner_next_hands_to_the_queue_and_tells_the_owner(
        store, receptionist, floor, customer, consultant, teammate, owner_busy):
    visit = _register(store, receptionist, first_visit=False, phone=customer.phone,
                      owner_busy=OwnerBusy.NEXT)

    assert (visit.consultant, visit.waiting_for, visit.routed_by, visit.routing_note) == (
        teammate, None, RoutedBy.QUEUE, "王芳 was with another customer.")
    assert (_shift(teammate).state, _shift(teammate).state_since) == (
        DutyState.WITH_CUSTOMER, NOW)
    assert _shift(consultant).state_since == BUSY_SINCE
    assert list(Notification.objects.values_list("user_id", "kind", "lead_id")) == [
        (consultant.pk, LeadEventKind.VISIT, None)]


@pytest.mark.usefixtures("in_english", "clock")
def test_busy_owner_next_cannot_choose_the_owner(store, receptionist, floor, customer,
                                                 consultant, owner_busy):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, first_visit=False, phone=customer.phone,
                  owner_busy=OwnerBusy.NEXT, consultant=consultant)

    assert list(refused.value.message_dict) == ["consultant"]
    assert Visit.objects.count() == 1


@pytest.mark.usefixtures("in_english", "clock")
def test_choosing_a_consultant_with_a_customer_is_refused(store, receptionist, floor,
                                                          consultant, owner_busy):
    with pytest.raises(ValidationError) as refused:
        _register(store, receptionist, consultant=consultant, routing_note="客人点名")

    assert refused.value.message_dict == {"consultant": [
        f"王芳 has been with a customer since {SINCE}; choose someone who is free."]}
    assert Visit.objects.count() == 1
    assert _shift(consultant).state_since == BUSY_SINCE


def test_closing_hands_the_waiting_customer_to_their_consultant(
        store, receptionist, floor, customer, consultant, owner_busy):
    with mock.patch.object(timezone, "now", return_value=NOW):
        waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                            owner_busy=OwnerBusy.WAIT)
    later = NOW + dt.timedelta(minutes=10)

    with mock.patch.object(timezone, "now", return_value=later):
        visit_close(visit=owner_busy, actor=consultant, departed_at=later,
                    outcome=VisitOutcome.FOLLOW_UP)

    waiting.refresh_from_db()
    shift = _shift(consultant)
    assert (waiting.consultant, waiting.waiting_for) == (consultant, None)
    assert (shift.state, shift.state_since, shift.position) == (
        DutyState.WITH_CUSTOMER, later, 1)


# --- Handing a waiting customer over --------------------------------------------------------
@pytest.mark.usefixtures("clock")
def test_hand_over_gives_the_waiting_customer_to_the_next_in_queue(
        store, receptionist, floor, customer, consultant, teammate, owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)
    Notification.objects.all().delete()

    visit = visit_hand_over(visit=waiting, actor=receptionist)

    assert (visit.consultant, visit.waiting_for, visit.routed_by) == (
        teammate, None, RoutedBy.QUEUE)
    assert _shift(teammate).state == DutyState.WITH_CUSTOMER
    assert _shift(consultant).state_since == BUSY_SINCE
    assert list(Notification.objects.values_list("user_id", flat=True)) == [consultant.pk]
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(visit.pk))
    assert entry.changes == {"consultant": [None, teammate.pk],
                             "waiting_for": [consultant.pk, None]}


@pytest.mark.usefixtures("in_english", "clock")
def test_hand_over_of_a_visit_no_longer_waiting_is_refused(
        store, receptionist, floor, customer, teammate, owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)
    visit_hand_over(visit=waiting, actor=receptionist)

    with pytest.raises(ValidationError, match="not waiting for a consultant any more"):
        visit_hand_over(visit=waiting, actor=receptionist)

    waiting.refresh_from_db()
    assert waiting.consultant == teammate
    assert AuditEntry.objects.filter(object_id=str(waiting.pk),
                                     action=AuditAction.UPDATE).count() == 1


@pytest.mark.usefixtures("in_english", "clock")
def test_hand_over_with_nobody_in_the_queue_is_refused(
        store, receptionist, floor, customer, consultant, owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)
    floor[1].state = DutyState.AWAY
    floor[1].save(update_fields=["state"])

    with pytest.raises(ValidationError, match="Nobody is waiting in the queue"):
        visit_hand_over(visit=waiting, actor=receptionist)

    waiting.refresh_from_db()
    assert (waiting.consultant, waiting.waiting_for) == (None, consultant)


@pytest.mark.usefixtures("clock")
def test_hand_over_refused_to_a_consultant(store, receptionist, floor, customer, teammate,
                                           owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)

    with pytest.raises(PermissionDenied):
        visit_hand_over(visit=waiting, actor=teammate)

    waiting.refresh_from_db()
    assert waiting.consultant is None


# --- Two receptionists at once (PostgreSQL) -----------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_at_once_never_share_the_one_waiting_consultant(store, receptionist,
                                                                     manager, consultant,
                                                                     teammate):
    require_postgres()
    day = store.today()
    DutyShiftFactory(store=store, date=day, consultant=consultant, position=1)
    DutyShiftFactory(store=store, date=day, consultant=teammate, position=2,
                     state=DutyState.WITH_CUSTOMER)

    results = race(*(lambda actor=actor: visit_register(
        store=store, actor=actor, arrived_at=timezone.now()) for actor in (receptionist,
                                                                           manager)))

    won = [r for r in results if isinstance(r, Visit)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    assert list(lost[0].message_dict) == ["consultant"]
    assert list(Visit.objects.values_list("consultant_id", flat=True)) == [consultant.pk]
    assert _shift(consultant).state == DutyState.WITH_CUSTOMER


# --- The walk-in page -------------------------------------------------------------------------
def _post(client, **data):
    data = {"arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "party_size": "2", "first_visit": "return"} | data
    return client.post("/showroom/walk-in/", data)


def test_walk_in_return_without_phone_is_400_with_input_kept(client, receptionist, floor):
    client.force_login(english(receptionist))

    response = _post(client, description="戴眼镜的先生")

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"phone": [
        "A returning customer: ask for their mobile number, or find them by name."]}
    assert (form["party_size"].value(), form["description"].value()) == ("2", "戴眼镜的先生")
    assert Visit.objects.count() == 0


def test_walk_in_busy_owner_asks_then_next_in_queue(client, store, receptionist, floor,
                                                    customer, teammate, owner_busy):
    client.force_login(english(receptionist))

    asked = _post(client, phone="138 1234 5678")

    assert asked.status_code == 400
    assert list(asked.context["form"].errors) == ["owner_busy"]
    assert b'value="next"' in asked.content and b'value="wait"' in asked.content
    assert Visit.objects.count() == 1

    done = _post(client, phone="138 1234 5678", owner_busy="next")

    assert done.status_code == 302
    visit = Visit.objects.exclude(pk=owner_busy.pk).get()
    assert (visit.consultant, visit.customer) == (teammate, customer)


def test_walk_in_busy_owner_wait_shows_on_the_desk(client, store, receptionist, floor,
                                                   customer, consultant, owner_busy):
    client.force_login(english(receptionist))

    _post(client, phone="13812345678", owner_busy="wait")
    desk = client.get("/showroom/desk/")

    assert "Waiting for 王芳" in desk.content.decode()
    visit = Visit.objects.exclude(pk=owner_busy.pk).get()
    assert (visit.consultant, visit.waiting_for) == (None, consultant)


def test_walk_in_search_finds_by_name_with_masked_phone(client, store, receptionist, floor,
                                                        customer):
    client.force_login(english(receptionist))

    response = client.get("/showroom/walk-in/", {"q": "张三"})

    assert response.status_code == 200
    assert [c.pk for c in response.context["results"]] == [customer.pk]
    assert "138****5678" in response.content.decode()
    assert "13812345678" not in response.content.decode()


def test_walk_in_search_by_last_four_digits_htmx_partial(client, store, receptionist, floor,
                                                         customer):
    CustomerFactory(store=store, name="李四", phone="+8613900001111")
    client.force_login(english(receptionist))

    response = client.get("/showroom/walk-in/", {"q": "5678"}, HTTP_HX_TARGET="customer-search",
                          **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="customer-search"')
    assert (html.count('data-testid="customer-result"'), "张三丰" in html, "李四" in html) == (
        1, True, False)


@pytest.mark.parametrize("count", [1, 3])
def test_walk_in_search_query_count_is_constant(client, store, receptionist, count,
                                                django_assert_num_queries):
    for n in range(count):
        CustomerFactory(store=store, name=f"张伟{n}", phone=f"+861390000{n:04d}")
    client.force_login(english(receptionist))

    # Session, user, store, the search.
    with django_assert_num_queries(4):
        response = client.get("/showroom/walk-in/", {"q": "张伟"}, HTTP_HX_TARGET="customer-search",
                              **HTMX)

    assert response.content.decode().count('data-testid="customer-result"') == count


def test_walk_in_picked_customer_goes_to_their_consultant(client, store, receptionist, floor,
                                                          customer, consultant):
    client.force_login(english(receptionist))

    page = client.get("/showroom/walk-in/", {"customer": customer.pk})
    response = _post(client, customer=str(customer.pk))

    assert "Returning customer: 张三丰 · 138****5678" in page.content.decode()
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.consultant, visit.customer, visit.routed_by) == (
        consultant, customer, RoutedBy.CUSTOMER)


def test_hand_over_view_then_second_click_is_409(client, store, receptionist, floor,
                                                 customer, teammate, owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)
    client.force_login(english(receptionist))

    first = client.post(f"/showroom/visits/{waiting.pk}/hand-over/")
    second = client.post(f"/showroom/visits/{waiting.pk}/hand-over/")

    assert (first.status_code, second.status_code) == (302, 409)
    assert "not waiting for a consultant any more" in second.content.decode()
    waiting.refresh_from_db()
    assert waiting.consultant == teammate


def test_hand_over_view_forbidden_to_a_consultant(client, store, receptionist, floor,
                                                  customer, teammate, owner_busy):
    waiting = _register(store, receptionist, first_visit=False, phone=customer.phone,
                        owner_busy=OwnerBusy.WAIT)
    client.force_login(teammate)

    response = client.post(f"/showroom/visits/{waiting.pk}/hand-over/")

    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.consultant is None


def test_hand_over_view_of_another_store_is_404(client, other_store, floor):
    stranger = UserFactory(role=Role.RECEPTIONIST, store=other_store)
    client.force_login(stranger)
    visit = Visit.objects.create(store=floor[0].store, arrived_at=timezone.now(),
                                 waiting_for=floor[0].consultant, routed_by="customer")

    response = client.post(f"/showroom/visits/{visit.pk}/hand-over/")

    assert response.status_code == 404
