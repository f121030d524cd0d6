"""Issue 12's journey: after the keys are handed over. A car delivered thirty store days ago
has its care plan; the hourly job makes the day-30 first-maintenance reminder due; the
service advisor books the first maintenance from the desk in one click (moved to today),
checks the car in and completes the visit, which writes the service record and sends a
survey; the customer answers it on a phone, without logging in, with a low score; the
follow-up task is on the customer care desk at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from aftersales.enums import (
    AppointmentStatus,
    AppointmentType,
    CareStepKind,
    CareStepStatus,
    CareTaskKind,
    SurveyKind,
)
from aftersales.jobs_care import advance_care_plans
from aftersales.models import Appointment, CareStep, CareTask, ServiceRecord, Survey
from aftersales.services.surveys import survey_link
from dealership.enums import ConsentSource, Role
from delivery.services.handover import handover_complete
from tests.delivery.test_handover_support import ready
from tests.e2e.helpers import assert_accessible, log_in, watch
from tests.factories import CustomerFactory, StoreFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def signed_in(page: Page, base: str, username: str) -> None:
    log_in(page, base, username)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_first_maintenance_booked_serviced_and_a_low_survey_score_reaches_the_care_desk(
        live_server, page: Page, new_context):
    base = live_server.url
    store = StoreFactory(code="ASV", name="售后示范店")
    supervisor = UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store,
                             language="en")
    team = TeamFactory(store=store, name="一组", supervisor=supervisor)
    # English interface: the assertions read the msgids, whatever the translations say.
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                             team=team, language="en")
    manager = UserFactory(username="mgr", name="周经理", role=Role.MANAGER, store=store,
                          language="en")
    UserFactory(username="adv", name="孙顾问", role=Role.SERVICE_ADVISOR, store=store,
                language="en")
    UserFactory(username="care", name="钱客服", role=Role.CUSTOMER_CARE, store=store,
                language="en")
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰",
                               marketing_consent=True, consent_at=timezone.now(),
                               consent_source=ConsentSource.SHOWROOM_FORM)

    # The car was handed over thirty store days ago at 15:00 (the clock is the outside
    # world); the delivery hook starts the care plan after the commit.
    today = store.today()
    delivered_on = today - dt.timedelta(days=30)
    delivered_at = dt.datetime.combine(delivered_on, dt.time(15, 0), tzinfo=store.tzinfo)
    contract, vehicle = ready(consultant, manager, customer=customer)
    with mock.patch.object(timezone, "now", return_value=delivered_at):
        handover_complete(actor=consultant, contract=contract)
    reminder = CareStep.objects.get(plan__contract=contract,
                                    kind=CareStepKind.FIRST_MAINTENANCE)
    assert (reminder.due_on, reminder.status) == (today, CareStepStatus.SCHEDULED)

    # The hourly job: today's day-30 reminder becomes due.
    advance_care_plans()
    reminder.refresh_from_db()
    assert reminder.status == CareStepStatus.DUE
    problems: list[str] = []
    watch(page, problems, timeout_ms=20_000)

    # 1. The service advisor's desk lists the owner whose first maintenance is due; one
    #    click opens the booking prefilled from the reminder. The customer comes today.
    signed_in(page, base, "adv")
    expect(page).to_have_url(f"{base}/aftersales/service/")
    assert_accessible(page)
    page.get_by_test_id("book-first-maintenance").click()
    expect(page).to_have_url(re.compile(rf"/aftersales/service/book/\?care_step={reminder.pk}$"))
    assert_accessible(page)
    expect(page.locator("#id_appointment_type")).to_have_value(AppointmentType.FIRST_MAINTENANCE)
    page.locator("#id_day").fill(f"{today:%Y-%m-%d}")
    page.get_by_test_id("book").click()
    appointment = Appointment.objects.get(customer=customer)
    expect(page).to_have_url(f"{base}/aftersales/service/appointments/{appointment.pk}/")
    assert_accessible(page)
    assert (appointment.appointment_type, appointment.day, appointment.status,
            appointment.care_step_id, appointment.vehicle_id) == (
        AppointmentType.FIRST_MAINTENANCE, today, AppointmentStatus.BOOKED, reminder.pk,
        vehicle.pk)
    reminder.refresh_from_db()
    assert reminder.status == CareStepStatus.DONE

    # 2. The car arrives: checked in on the desk at 4,812 km, then the visit completed.
    page.goto(f"{base}/aftersales/service/")
    assert_accessible(page)
    row = page.locator(f"#appointment-row-{appointment.pk}")
    row.locator(f"input[name=a{appointment.pk}-mileage]").fill("4812")
    row.get_by_test_id("check-in").click()
    expect(row.get_by_test_id("complete")).to_be_visible()
    row.get_by_test_id("complete").click()
    expect(page).to_have_url(f"{base}/aftersales/service/appointments/{appointment.pk}/complete/")
    assert_accessible(page)
    page.locator("#id_mileage").fill("4815")
    page.locator("#id_item_0").fill("首保机油机滤更换")
    page.locator("#id_amount_0").fill("0")
    page.locator("#id_item_1").fill("雨刮片")
    page.locator("#id_amount_1").fill("88.50")
    page.get_by_test_id("complete").click()
    record = ServiceRecord.objects.get(appointment=appointment)
    expect(page).to_have_url(f"{base}/aftersales/service/records/{record.pk}/")
    assert_accessible(page)
    assert (record.mileage, record.serviced_on, record.vehicle_id) == (4815, today, vehicle.pk)
    assert sorted((item.description, item.amount) for item in record.items.all()) == [
        ("雨刮片", Decimal("88.50")), ("首保机油机滤更换", Decimal("0.00"))]

    # 3. The customer opens the survey link from the message on a phone, not logged in,
    #    and answers with a 4 for the first question (9 for the others).
    survey = Survey.objects.get(service_record=record)
    assert survey.kind == SurveyKind.SERVICE
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(phone, problems, timeout_ms=20_000)
    phone.goto(f"{base}{survey_link(survey)}")
    assert_accessible(phone)
    expect(phone.get_by_test_id("survey-store")).to_have_text("售后示范店")
    expect(phone.get_by_text("张三丰")).to_have_count(0)
    questions = phone.get_by_test_id("survey-question")
    count = questions.count()
    assert count >= 2
    for index in range(count):
        score = "4" if index == 0 else "9"
        questions.nth(index).locator(f"input[type=radio][value='{score}']").check()
    phone.locator("button.surveys-submit").click()
    # The customer's page speaks the store's language (Chinese), not the staff's English.
    with translation.override("zh-hans"):
        thanks = gettext("Thank you!")
    expect(phone.get_by_test_id("survey-state")).to_have_text(thanks)
    survey.refresh_from_db()
    assert (survey.lowest_score, survey.answered_at is not None) == (4, True)

    # 4. Customer care's desk has the low score's follow-up, at once.
    care = new_context().new_page()
    watch(care, problems, timeout_ms=20_000)
    signed_in(care, base, "care")
    expect(care).to_have_url(f"{base}/aftersales/care/")
    assert_accessible(care)
    task = CareTask.objects.get(survey=survey)
    assert (task.kind, task.customer_id) == (CareTaskKind.LOW_SCORE, customer.pk)
    row = care.locator(f"#care-task-{task.pk}")
    expect(row).to_contain_text("张三丰")
    expect(care.get_by_test_id("care-low-scores")).to_have_text("1")
    assert problems == []
