"""lead_capture: grading, one customer per phone (防撞单), external id replays; grade override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealership.models import Customer
from dealership.validators import normalize_phone
from leads.enums import Channel, EventKind, Grade, LeadStatus
from leads.models import ConsultantRouting, Lead, LeadEvent, LeadIntake, Notification
from leads.services import lead_capture, lead_override_grade
from tests.leads.factories import LeadFactory

PHONE = "+8613900001111"


def capture(store, *, phone: str = PHONE, actor=None, channel: str = Channel.WALK_IN,
            **kwargs):
    return lead_capture(store=store, actor=actor, name=kwargs.pop("name", "陈大文"),
                        phone=phone, channel=channel, **kwargs)


def kinds(lead: Lead) -> list[str]:
    return list(lead.events.order_by("id").values_list("kind", flat=True))


# --- Grading ------------------------------------------------------------------------------
@pytest.mark.parametrize(("window", "grade"), [
    ("3d", Grade.A), ("1m", Grade.B), ("3m+", Grade.C), ("", Grade.C),
])
def test_capture_grades_from_purchase_window(store, consultant, teammate, window, grade):
    result = capture(store, purchase_window=window)

    result.lead.refresh_from_db()
    assert result.lead.grade == grade
    assert result.lead.grade_overridden is False
    assert result.lead.purchase_window == window


def test_override_grade_keeps_reason_on_timeline(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.C)

    lead_override_grade(lead=lead, actor=consultant, grade=Grade.A, reason="客户说下周就要提车")

    lead.refresh_from_db()
    assert (lead.grade, lead.grade_overridden) == (Grade.A, True)
    entry = lead.events.get(kind=EventKind.GRADE)
    assert entry.actor == consultant
    assert entry.note == "客户说下周就要提车"
    assert entry.data == {"from": "C", "to": "A"}


def test_override_grade_recomputes_due_date_from_cadence(store, consultant):
    touched = timezone.now() - dt.timedelta(hours=3)
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.C, last_touch_at=touched,
                       first_touch_at=touched, status=LeadStatus.CONTACTED)

    lead_override_grade(lead=lead, actor=consultant, grade=Grade.A, reason="预算已批")

    lead.refresh_from_db()
    assert lead.follow_up_due_at == touched + dt.timedelta(days=1)


def test_override_grade_without_reason_is_refused(store, consultant):
    lead = LeadFactory(store=store, owner=consultant, grade=Grade.C)

    with pytest.raises(ValidationError) as error:
        lead_override_grade(lead=lead, actor=consultant, grade=Grade.A, reason="   ")

    assert list(error.value.message_dict) == ["reason"]
    lead.refresh_from_db()
    assert (lead.grade, lead.grade_overridden) == (Grade.C, False)
    assert lead.events.count() == 0


def test_override_grade_by_teammate_is_refused(store, consultant, teammate):
    from django.core.exceptions import PermissionDenied

    lead = LeadFactory(store=store, owner=consultant, grade=Grade.C)

    with pytest.raises(PermissionDenied):
        lead_override_grade(lead=lead, actor=teammate, grade=Grade.A, reason="抢单")

    lead.refresh_from_db()
    assert lead.grade == Grade.C


# --- New customer -------------------------------------------------------------------------
def test_capture_new_phone_creates_customer_lead_and_timeline(store, consultant, teammate):
    result = capture(store, purchase_window="3d", model_interest="凯美瑞")

    assert result.duplicate is False
    lead = Lead.objects.get()
    customer = Customer.objects.get()
    assert result.lead == lead
    assert (lead.customer, lead.owner, lead.status) == (customer, consultant, LeadStatus.NEW)
    assert (customer.phone, customer.owner) == (PHONE, consultant)
    assert kinds(lead) == [EventKind.CREATED, EventKind.ASSIGNED]
    assert list(Notification.objects.values_list("user", "lead", "kind")) == [
        (consultant.pk, lead.pk, EventKind.ASSIGNED)]


def test_capture_online_lead_is_due_within_first_contact_sla(store, consultant):
    created = timezone.now()

    result = capture(store, channel=Channel.WEBSITE, created_at=created)

    assert result.lead.follow_up_due_at == created + dt.timedelta(minutes=60)


def test_capture_walk_in_lead_is_due_by_grade_cadence(store, consultant):
    created = timezone.now()

    result = capture(store, purchase_window="1m", created_at=created)

    assert result.lead.follow_up_due_at == created + dt.timedelta(days=7)


def test_capture_with_nobody_on_duty_goes_to_the_pool(store, consultant, teammate):
    ConsultantRouting.objects.bulk_create([
        ConsultantRouting(user=user, store=store, on_duty=False)
        for user in (consultant, teammate)])

    result = capture(store, purchase_window="1m")

    lead = Lead.objects.get()
    assert result.lead == lead
    assert lead.owner is None
    assert lead.pooled_at is not None
    assert lead.assigned_at is None
    assert kinds(lead) == [EventKind.CREATED]
    assert Notification.objects.count() == 0
    assert Customer.objects.get().owner is None


# --- One customer per phone (防撞单) ------------------------------------------------------
def test_phone_formats_normalise_to_one_customer(store, customer, consultant, teammate):
    first = capture(store, phone=normalize_phone("+86 138 1234 5678"))
    second = capture(store, phone=normalize_phone("13812345678"))
    third = capture(store, phone=normalize_phone("0086-138-1234-5678"))

    assert Customer.objects.get() == customer
    assert Lead.objects.get() == first.lead == second.lead == third.lead
    assert [first.duplicate, second.duplicate, third.duplicate] == [True, True, True]


def test_known_phone_with_open_lead_adds_enquiry_and_notifies_owner(
        store, customer, consultant, teammate, manager):
    lead = LeadFactory(store=store, customer=customer, owner=consultant,
                       status=LeadStatus.CONTACTED)

    result = capture(store, phone=customer.phone, actor=manager, channel=Channel.WEBSITE,
                     model_interest="RAV4荣放", purchase_window="3d", note="官网留资")

    assert result.duplicate is True
    assert result.lead == lead
    assert Lead.objects.count() == 1
    assert Customer.objects.count() == 1
    enquiry = lead.events.get()
    assert (enquiry.kind, enquiry.actor, enquiry.note) == (EventKind.ENQUIRY, manager, "官网留资")
    assert enquiry.data == {"channel": "website", "model_interest": "RAV4荣放",
                            "purchase_window": "3d"}
    assert list(Notification.objects.values_list("user", "lead", "kind")) == [
        (consultant.pk, lead.pk, EventKind.ENQUIRY)]


def test_known_phone_with_only_closed_leads_opens_new_lead_for_its_consultant(
        store, customer, consultant, teammate):
    old = LeadFactory(store=store, customer=customer, owner=consultant, status=LeadStatus.LOST,
                      lost_reason="price", closed_at=timezone.now())
    ConsultantRouting.objects.create(user=consultant, store=store, on_duty=False)

    result = capture(store, phone=customer.phone, purchase_window="1m")

    assert result.duplicate is True
    new = Lead.objects.exclude(pk=old.pk).get()
    assert result.lead == new
    assert (new.customer, new.owner, new.status) == (customer, consultant, LeadStatus.NEW)
    assert Customer.objects.count() == 1
    assigned = new.events.get(kind=EventKind.ASSIGNED)
    assert assigned.data == {"to_owner": consultant.pk, "reason": "customer"}
    assert new.events.get(kind=EventKind.CREATED).data["duplicate"] is True
    assert list(Notification.objects.values_list("user", "lead", "kind")) == [
        (consultant.pk, new.pk, EventKind.ENQUIRY)]


def test_known_phone_keeps_its_consultant_when_front_desk_picks_another(
        store, customer, consultant, teammate, make_user):
    """防撞单: the customer's consultant keeps the customer even when the front desk
    would hand the walk-in to whoever is next on duty."""
    receptionist = make_user("receptionist")

    result = capture(store, phone=customer.phone, actor=receptionist, owner=teammate)

    assert result.lead.owner == consultant
    customer.refresh_from_db()
    assert customer.owner == consultant


def test_new_phone_goes_to_the_consultant_the_front_desk_picks(store, consultant, teammate,
                                                              make_user):
    receptionist = make_user("receptionist")
    ConsultantRouting.objects.create(user=teammate, store=store)

    result = capture(store, actor=receptionist, owner=teammate, purchase_window="3d")

    assert result.lead.owner == teammate
    assert Customer.objects.get().owner == teammate
    assert ConsultantRouting.objects.get(user=teammate).last_assigned_at is None


def test_same_phone_in_another_store_is_another_customer(store, other_store, customer,
                                                          outsider):
    result = capture(other_store, phone=customer.phone)

    assert result.duplicate is False
    assert result.lead.customer.store == other_store
    assert result.lead.owner == outsider
    assert Customer.objects.filter(phone=customer.phone).count() == 2


# --- External id replays ------------------------------------------------------------------
def test_external_id_replay_returns_first_result_and_writes_nothing(store, consultant):
    first = capture(store, channel=Channel.VERTICAL_MEDIA, external_id="dcd-001")
    counts = [model.objects.count() for model in
              (Customer, Lead, LeadEvent, Notification, LeadIntake)]

    again = capture(store, channel=Channel.VERTICAL_MEDIA, external_id="dcd-001",
                    phone="+8613700002222", name="别人")

    assert (again.lead, again.duplicate) == (first.lead, False)
    assert [model.objects.count() for model in
            (Customer, Lead, LeadEvent, Notification, LeadIntake)] == counts


def test_external_id_replay_of_a_duplicate_is_still_a_duplicate(store, customer, consultant):
    lead = LeadFactory(store=store, customer=customer, owner=consultant)
    capture(store, phone=customer.phone, channel=Channel.SHORT_VIDEO, external_id="dy-9")
    events = LeadEvent.objects.count()

    again = capture(store, phone=customer.phone, channel=Channel.SHORT_VIDEO,
                    external_id="dy-9")

    assert (again.lead, again.duplicate) == (lead, True)
    assert LeadEvent.objects.count() == events


def test_same_external_id_on_another_channel_is_a_new_enquiry(store, consultant):
    capture(store, channel=Channel.VERTICAL_MEDIA, external_id="42")

    other = capture(store, channel=Channel.WEBSITE, external_id="42", phone="+8613700003333")

    assert other.duplicate is False
    assert Lead.objects.count() == 2
    assert LeadIntake.objects.count() == 2
