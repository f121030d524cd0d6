"""The owner's file and the data-quality list, read by their selectors: one timeline
across every source in time order, the next maintenance from the record or the care plan,
the incomplete files grouped per consultant with the 2-day deadline counted in store
days."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from aftersales.enums import CareStepKind, CareStepStatus
from aftersales.models import CareSettings
from aftersales.selectors.owners import (
    NextDue,
    data_quality_for_user,
    owner_file,
    owner_list_for_user,
    owner_rows,
)
from dealership.enums import Gender, Role
from showroom.enums import TestDriveStatus
from tests.aftersales.factories_owners import (
    answered_survey,
    care_plan,
    care_step,
    complaint,
    local,
    owned,
    service_record,
)
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

DAY0 = dt.date(2026, 3, 2)


def _day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


def complete_customer(store, owner, **kwargs):
    """A customer whose own fields are all filled (the file then needs plate and usage)."""
    values = {"store": store, "owner": owner, "name": "陈完整", "gender": Gender.MALE,
              "address": "深圳市福田区1号", "id_number": "440301199001011234"}
    return CustomerFactory(**(values | kwargs))


# --- The timeline ----------------------------------------------------------------------------
def test_timeline_merges_every_source_oldest_first(store, consultant, manager, customer,
                                                   advisor):
    # Written out of order: the selector, not the insertion order, sorts them.
    complaint(customer, received_at=local(store, _day(37), 9),
              closed_at=local(store, _day(38), 16))
    contract, vehicle = owned(consultant, manager, customer=customer,
                              at=local(store, _day(5), 15))
    answered_survey(contract, answered_at=local(store, _day(36), 10), lowest_score=5)
    service_record(customer, advisor, vehicle=vehicle, serviced_on=_day(35))
    plan = care_plan(contract, vehicle=vehicle)
    care_step(plan, kind=CareStepKind.THANK_YOU_CALL, due_on=_day(6),
              status=CareStepStatus.DONE, done_at=local(store, _day(6), 11),
              outcome="很满意", done_by=consultant)
    care_step(plan, kind=CareStepKind.USAGE_TIPS, due_on=_day(12),
              status=CareStepStatus.SKIPPED, done_at=local(store, _day(12), 9),
              outcome="客户拒收短信", done_by=consultant)
    care_step(plan, kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(35))  # still open
    DriveFactory(store=store, consultant=consultant, customer=customer,
                 slot_start=local(store, _day(1), 14), started_at=local(store, _day(1), 14, 5),
                 status=TestDriveStatus.DONE)
    VisitFactory(store=store, consultant=consultant, customer=customer,
                 arrived_at=local(store, _day(1), 13))
    LeadFactory(store=store, customer=customer, owner=consultant,
                created_at=local(store, _day(0), 10))

    file = owner_file(user=manager, customer=customer)

    assert [entry.kind for entry in file.timeline] == [
        "lead", "visit", "test_drive", "quote", "contract", "delivered", "care_done",
        "care_skipped", "service", "survey", "complaint", "complaint_closed"]
    assert file.timeline[0].at == local(store, _day(0), 10)
    assert file.timeline[-1].at == local(store, _day(38), 16)
    assert file.timeline[6].title == "Thank-you call done"
    assert file.timeline[7].title == "Usage tips message skipped"
    assert file.timeline[9].detail == "lowest score 5"


def test_file_vehicles_show_vin_plate_and_store_day_of_delivery(store, consultant, manager,
                                                                customer):
    # 23:30 in Shanghai is 15:30 UTC: the purchase date is the store's day.
    contract, vehicle = owned(consultant, manager, customer=customer, plate="粤B12345",
                              at=local(store, _day(5), 23, 30))

    file = owner_file(user=manager, customer=customer)

    assert len(file.vehicles) == 1
    car = file.vehicles[0]
    assert (car.vin, car.plate_number, car.delivered_on, car.contract) == (
        vehicle.vin, "粤B12345", _day(5), contract)
    assert file.can_open_contracts is True


def test_file_service_history_totals_newest_first(store, consultant, manager, customer,
                                                  advisor):
    owned(consultant, manager, customer=customer)
    older = service_record(customer, advisor, serviced_on=_day(30),
                           items=(("机油", "300.00"), ("机滤", "80.50")))
    newer = service_record(customer, advisor, serviced_on=_day(200),
                           items=(("检查", "0.00"), ("刹车片", "1200.00"), ("工时", "150")))

    file = owner_file(user=advisor, customer=customer)

    assert [(row.record, str(row.total)) for row in file.service_history] == [
        (newer, "1350.00"), (older, "380.50")]
    assert file.can_open_contracts is False


def test_file_needs_from_the_latest_visit_that_recorded_them(store, consultant, manager,
                                                             customer):
    owned(consultant, manager, customer=customer)
    VisitFactory(store=store, consultant=consultant, customer=customer,
                 arrived_at=local(store, _day(0), 10), usage="business")
    recorded = VisitFactory(store=store, consultant=consultant, customer=customer,
                            arrived_at=local(store, _day(1), 10), usage="family",
                            focus_points="空间、油耗", customer_type="first_car")
    VisitFactory(store=store, consultant=consultant, customer=customer,
                 arrived_at=local(store, _day(2), 10))  # the signing visit, no needs

    assert owner_file(user=manager, customer=customer).needs == recorded


# --- Next maintenance due --------------------------------------------------------------------
def test_next_due_from_the_care_plan_and_the_store_first_mileage(store, consultant, manager,
                                                                 customer):
    contract, vehicle = owned(consultant, manager, customer=customer,
                              at=local(store, _day(0), 10))
    CareSettings.objects.create(store=store, first_maintenance_km=3000)
    plan = care_plan(contract, vehicle=vehicle)
    care_step(plan, kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(30))

    file = owner_file(user=manager, customer=customer)

    assert file.next_due == NextDue(on=_day(30), km=3000, source="plan")


def test_next_due_plan_uses_the_default_mileage_without_settings(store, consultant, manager,
                                                                 customer):
    contract, _vehicle = owned(consultant, manager, customer=customer)
    care_step(care_plan(contract), kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(30))

    assert owner_file(user=manager, customer=customer).next_due == NextDue(
        on=_day(30), km=5000, source="plan")


def test_next_due_from_the_latest_service_record_over_the_plan(store, consultant, manager,
                                                               customer, advisor):
    contract, _vehicle = owned(consultant, manager, customer=customer)
    care_step(care_plan(contract), kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(30))
    service_record(customer, advisor, serviced_on=_day(31), next_due_on=_day(211),
                   next_due_km=15000)
    service_record(customer, advisor, serviced_on=_day(10), next_due_on=_day(99),
                   next_due_km=9999)

    assert owner_file(user=manager, customer=customer).next_due == NextDue(
        on=_day(211), km=15000, source="record")


def test_next_due_after_a_record_without_next_due_follows_the_store_interval(
        store, consultant, manager, customer, advisor):
    contract, _vehicle = owned(consultant, manager, customer=customer)
    care_step(care_plan(contract), kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(30))
    CareSettings.objects.create(store=store, maintenance_interval_days=120,
                                maintenance_interval_km=7500)
    service_record(customer, advisor, serviced_on=_day(31), mileage=5200)

    assert owner_file(user=manager, customer=customer).next_due == NextDue(
        on=_day(151), km=12700, source="interval")


def test_owner_rows_compute_the_same_next_due(store, consultant, manager, advisor):
    # Latin names: their order is the same under every database collation.
    planned = CustomerFactory(store=store, owner=consultant, name="An Jihua")
    serviced = CustomerFactory(store=store, owner=consultant, name="Bai Baoyang")
    contract, _car = owned(consultant, manager, customer=planned)
    care_step(care_plan(contract), kind=CareStepKind.FIRST_MAINTENANCE, due_on=_day(30))
    owned(consultant, manager, customer=serviced)
    service_record(serviced, advisor, serviced_on=_day(31), next_due_on=_day(211),
                   next_due_km=15000)
    interval = CustomerFactory(store=store, owner=consultant, name="Chen Jiange")
    owned(consultant, manager, customer=interval)
    service_record(interval, advisor, serviced_on=_day(31), mileage=5200)

    rows = owner_rows(list(owner_list_for_user(user=manager)), store=store)

    # The default interval: 180 days and 10000 km after the record.
    assert [(row.customer, row.next_due) for row in rows] == [
        (planned, NextDue(on=_day(30), km=5000, source="plan")),
        (serviced, NextDue(on=_day(211), km=15000, source="record")),
        (interval, NextDue(on=_day(211), km=15200, source="interval"))]


# --- The data-quality list -------------------------------------------------------------------
def test_data_quality_groups_incomplete_files_per_consultant(store, other_store, consultant,
                                                             teammate, manager):
    # Groups come by consultant name; Latin names sort alike under every collation.
    consultant.name, teammate.name = "B Wang", "A Li"
    consultant.save(update_fields=["name"])
    teammate.save(update_fields=["name"])
    today = store.today()
    at = local(store, today - dt.timedelta(days=1), 10)
    complete = complete_customer(store, consultant)
    owned(consultant, manager, customer=complete, plate="粤B00001", at=at)
    VisitFactory(store=store, consultant=consultant, customer=complete, usage="family")
    mine = CustomerFactory(store=store, owner=consultant, name="王缺", gender=Gender.FEMALE)
    mine_contract, _car = owned(consultant, manager, customer=mine, at=at)
    theirs = complete_customer(store, teammate, name="李缺牌", id_number="11010519491231002X")
    VisitFactory(store=store, consultant=teammate, customer=theirs, usage="business")
    theirs_contract, _car = owned(teammate, manager, customer=theirs, at=at)
    old = CustomerFactory(store=store, owner=consultant, name="旧客户")
    owned(consultant, manager, customer=old, at=local(store, today - dt.timedelta(days=31), 10))
    stranger = UserFactory(username="far", role=Role.CONSULTANT, store=other_store)
    owned(stranger, UserFactory(username="farmgr", role=Role.MANAGER, store=other_store),
          customer=CustomerFactory(store=other_store, owner=stranger), at=at)

    groups = data_quality_for_user(user=manager, today=today)

    assert [(g.consultant, [(f.contract, f.missing, f.days, f.overdue) for f in g.files])
            for g in groups] == [
        (teammate, [(theirs_contract, ["Plate number"], 1, False)]),
        (consultant, [(mine_contract, ["ID number", "Address", "Plate number",
                                       "Usage (needs analysis)"], 1, False)]),
    ]


def test_data_quality_supervisor_sees_the_team_consultant_own(store, consultant, teammate,
                                                              supervisor, manager):
    mine = CustomerFactory(store=store, owner=consultant)
    owned(consultant, manager, customer=mine)
    other_team_consultant = UserFactory(username="solo", role=Role.CONSULTANT, store=store)
    owned(other_team_consultant, manager,
          customer=CustomerFactory(store=store, owner=other_team_consultant))

    groups = data_quality_for_user(user=supervisor, today=store.today())

    assert [g.consultant for g in groups] == [consultant]


def test_data_quality_two_day_deadline_counts_store_days(store, consultant, manager):
    # Delivered at 23:30 Shanghai on day 0 (15:30 UTC); read at 00:30 Shanghai on day 3,
    # which is still day 2 in UTC: three store days have passed, so the file is overdue.
    late = CustomerFactory(store=store, owner=consultant, name="甲晚")
    late_contract, _car = owned(consultant, manager, customer=late,
                                at=local(store, _day(0), 23, 30))
    recent = CustomerFactory(store=store, owner=consultant, name="乙近")
    recent_contract, _car = owned(consultant, manager, customer=recent,
                                  at=local(store, _day(1), 23, 30))
    now = local(store, _day(3), 0, 30)
    assert now.astimezone(dt.UTC).date() == _day(2)

    with mock.patch.object(timezone, "now", return_value=now):
        groups = data_quality_for_user(user=manager, today=store.today())

    files = groups[0].files
    assert [(f.contract, f.delivered_on, f.days, f.overdue) for f in files] == [
        (late_contract, _day(0), 3, True), (recent_contract, _day(1), 2, False)]
    assert groups[0].overdue_count == 1


def test_data_quality_window_is_thirty_store_days(store, consultant, manager):
    today = _day(40)
    edge = owned(consultant, manager, at=local(store, _day(10), 0, 5))[0]
    owned(consultant, manager, at=local(store, _day(9), 23, 55))  # 31 days before

    with mock.patch.object(timezone, "now", return_value=local(store, today, 12)):
        groups = data_quality_for_user(user=manager, today=store.today())

    assert [f.contract for f in groups[0].files] == [edge]
    assert groups[0].files[0].days == 30


def test_data_quality_leaves_out_erased_customers(store, consultant, manager):
    customer = CustomerFactory(store=store, owner=consultant, anonymised_at=timezone.now())
    owned(consultant, manager, customer=customer)

    assert data_quality_for_user(user=manager, today=store.today()) == []


# --- What each role sees of the surveys and complaints ---------------------------------------
def test_timeline_scores_only_of_own_surveys_for_consultant_and_advisor(
        store, consultant, manager, customer, advisor):
    contract, _car = owned(consultant, manager, customer=customer,
                           at=local(store, _day(0), 10))
    answered_survey(contract, answered_at=local(store, _day(1), 10), lowest_score=4)

    def survey_detail(user):
        return [e.detail for e in owner_file(user=user, customer=customer).timeline
                if e.kind == "survey"]

    assert survey_detail(consultant) == ["lowest score 4"]  # about the consultant
    assert survey_detail(manager) == ["lowest score 4"]
    assert survey_detail(advisor) == [""]  # answered, but not about the advisor


def test_timeline_advisor_sees_the_service_department_complaints_only(
        store, consultant, manager, customer, advisor):
    owned(consultant, manager, customer=customer, at=local(store, _day(0), 10))
    service = complaint(customer, received_at=local(store, _day(1), 10), summary="保养慢")
    sales = complaint(customer, received_at=local(store, _day(2), 10), summary="销售态度")
    sales.department = "sales"
    sales.save(update_fields=["department"])

    def complaints_seen(user):
        return [e.detail for e in owner_file(user=user, customer=customer).timeline
                if e.kind == "complaint"]

    assert complaints_seen(advisor) == [f"{service.number} · 保养慢"]
    assert complaints_seen(consultant) == [f"{service.number} · 保养慢",
                                           f"{sales.number} · 销售态度"]
