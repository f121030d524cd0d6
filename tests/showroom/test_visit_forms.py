"""Issue 14, item 8: the visit-closing form grouped (outcome first, the needs analysis
open only when the outcome needs it, the rest folded), "start the drive" only on the
slot's day (view and service), and a cancel-reason box that says what it is for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealership.enums import AuditAction
from dealership.models import AuditEntry
from showroom.enums import TestDriveStatus, VisitOutcome
from showroom.forms.test_drives import CancelForm
from showroom.forms.visits import VisitCloseForm
from showroom.models import TestDrive, Visit
from showroom.selectors.visits import presentable_series
from showroom.services.test_drives import test_drive_start as start_drive
from tests.helpers import HTMX, english
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_test_drives import DriveFactory, local_at, store_today, tomorrow_at

# Stories span the hour around now: they run on the business-hours clock.
pytestmark = [pytest.mark.usefixtures("business_hours"), pytest.mark.django_db]


@pytest.fixture
def visit(store, consultant):
    return VisitFactory(store=store, consultant=consultant,
                        arrived_at=timezone.now() - dt.timedelta(minutes=30))


def _sections(form) -> list[tuple[str, list[str], bool, bool]]:
    return [(s.key, [f.name for f in s.fields], s.foldable, s.open) for s in form.sections()]


# --- The visit-closing form ---------------------------------------------------------------
def test_close_form_puts_the_outcome_first_then_needs_then_the_rest_folded(visit):
    form = VisitCloseForm(visit=visit, series=presentable_series())

    assert _sections(form) == [
        ("outcome", ["outcome", "departed_at", "note"], False, True),
        ("needs", ["usage", "budget_min", "budget_max", "powertrain", "seats", "payment",
                   "timing", "competitors", "models_presented"], True, True),
        ("more", ["customer_type", "trade_in", "trade_in_vehicle", "decision_maker",
                  "focus_points"], True, False),
    ]


@pytest.mark.usefixtures("in_english")
def test_close_form_outcome_prompt_is_not_dashes(visit):
    form = VisitCloseForm(visit=visit, series=presentable_series())

    assert next(iter(form.fields["outcome"].choices)) == ("", "Choose how the visit ended")


@pytest.mark.parametrize(("outcome", "needs_open"), [
    (VisitOutcome.BROWSING, False), (VisitOutcome.LOST, False),
    (VisitOutcome.FOLLOW_UP, True), (VisitOutcome.ORDER, True)])
def test_close_form_opens_the_needs_only_for_an_interested_customer(visit, outcome,
                                                                    needs_open):
    form = VisitCloseForm(initial={"outcome": outcome}, visit=visit,
                          series=presentable_series())

    assert [s.open for s in form.sections()] == [True, needs_open, False]


def test_close_form_keeps_a_filled_section_open_whatever_the_outcome(visit):
    form = VisitCloseForm(initial={"outcome": VisitOutcome.LOST, "usage": "family",
                                   "decision_maker": "太太"},
                          visit=visit, series=presentable_series())

    assert [s.open for s in form.sections()] == [True, True, True]


def test_visit_page_outcome_change_rerenders_the_form_keeping_input(client, consultant, visit):
    client.force_login(english(consultant))

    response = client.get(f"/showroom/visits/{visit.pk}/",
                          {"outcome": VisitOutcome.BROWSING, "competitors": "本田雅阁",
                           "note": "只是看看"},
                          HTTP_HX_TARGET="close-form", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="close-form"')
    assert 'value="本田雅阁"' in html and "只是看看" in html
    # A filled competitor keeps the needs open even for a browser; "more" stays folded.
    assert '<details class="showroom-fold" data-testid="close-needs" open>' in html
    assert '<details class="showroom-fold" data-testid="close-more">' in html
    assert 'hx-get="/showroom/visits/' in html


def test_visit_page_outcome_browsing_folds_the_needs(client, consultant, visit):
    client.force_login(english(consultant))

    response = client.get(f"/showroom/visits/{visit.pk}/",
                          {"outcome": VisitOutcome.BROWSING},
                          HTTP_HX_TARGET="close-form", **HTMX)

    assert '<details class="showroom-fold" data-testid="close-needs">' in \
        response.content.decode()


def test_visit_page_close_form_refresh_of_another_consultant_is_404(client, teammate, visit):
    client.force_login(teammate)

    response = client.get(f"/showroom/visits/{visit.pk}/", {"outcome": "lost"},
                          HTTP_HX_TARGET="close-form", **HTMX)

    assert response.status_code == 404


def test_close_with_a_folded_field_filled_still_saves_it(client, consultant, visit):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {
        "outcome": VisitOutcome.LOST,
        "departed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "decision_maker": "太太", "trade_in": "unknown"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.outcome, visit.decision_maker, visit.usage) == (
        VisitOutcome.LOST, "太太", "")


def test_close_without_outcome_is_400_with_the_outcome_first(client, consultant, visit):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/visits/{visit.pk}/close/", {
        "departed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "usage": "family"})

    assert response.status_code == 400
    assert list(response.context["close_form"].errors) == ["outcome"]
    assert Visit.objects.get(pk=visit.pk).departed_at is None


# --- Starting a test drive only on its day ----------------------------------------------
@pytest.fixture
def tomorrows(store, consultant, customer):
    return DriveFactory(store=store, consultant=consultant, customer=customer,
                        slot_start=tomorrow_at(store, 10))


@pytest.fixture
def todays(store, consultant, customer):
    return DriveFactory(store=store, consultant=consultant, customer=customer,
                        slot_start=local_at(store, store_today(store), 10))


@pytest.mark.usefixtures("in_english")
def test_start_of_tomorrows_drive_is_refused_by_the_service(store, consultant, tomorrows):
    with pytest.raises(ValidationError) as refused:
        start_drive(test_drive=tomorrows, actor=consultant, odometer_start=1200)

    day = f"{tomorrows.slot_start.astimezone(store.tzinfo):%Y-%m-%d}"
    assert refused.value.messages == [
        f"This test drive is booked for {day}; it can start on that day only."]
    tomorrows.refresh_from_db()
    assert (tomorrows.status, tomorrows.odometer_start) == (TestDriveStatus.BOOKED, None)
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_tomorrows_drive_page_offers_no_start(client, consultant, tomorrows):
    client.force_login(english(consultant))

    html = client.get(f"/showroom/test-drives/{tomorrows.pk}/").content.decode()

    assert f'action="/showroom/test-drives/{tomorrows.pk}/start/"' not in html
    assert "The drive can start on" in html
    assert f'action="/showroom/test-drives/{tomorrows.pk}/cancel/"' in html


def test_start_of_tomorrows_drive_is_refused_by_the_view(client, store, consultant, tomorrows):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/test-drives/{tomorrows.pk}/start/",
                           {"odometer_start": "1200"}, **HTMX)

    day = f"{tomorrows.slot_start.astimezone(store.tzinfo):%Y-%m-%d}"
    assert response.status_code == 400
    assert f"This test drive is booked for {day}; it can start on that day only." in \
        response.content.decode()
    assert TestDrive.objects.get(pk=tomorrows.pk).status == TestDriveStatus.BOOKED


def test_todays_drive_page_offers_start(client, consultant, todays):
    client.force_login(english(consultant))

    html = client.get(f"/showroom/test-drives/{todays.pk}/").content.decode()

    assert f'action="/showroom/test-drives/{todays.pk}/start/"' in html


def test_start_of_tomorrows_drive_by_another_consultant_is_404(client, teammate, tomorrows):
    client.force_login(teammate)

    response = client.post(f"/showroom/test-drives/{tomorrows.pk}/start/",
                           {"odometer_start": "1200"})

    assert response.status_code == 404
    assert TestDrive.objects.get(pk=tomorrows.pk).status == TestDriveStatus.BOOKED


# --- The cancel reason -------------------------------------------------------------------
@pytest.mark.usefixtures("in_english")
def test_cancel_reason_says_what_it_is_for():
    field = CancelForm().fields["reason"]

    assert (str(field.label), str(field.help_text)) == (
        "Why the booking is cancelled",
        "Optional: e.g. the customer postponed, the car is in the workshop. It is kept in "
        "the booking's history.")


def test_cancel_reason_is_kept_in_the_bookings_history(client, consultant, tomorrows):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/test-drives/{tomorrows.pk}/cancel/",
                           {"reason": "客户改期"})

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(tomorrows.pk))
    assert (entry.reason, entry.changes) == ("客户改期", {"status": ["booked", "cancelled"]})
