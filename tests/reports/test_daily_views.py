"""The daily reports' list, download and "make again" pages (issue 13 §7)."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dealership.enums import Role
from reports.enums import DailyReportStatus
from reports.models import DailyReport
from tests.helpers import english

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 20:00 in Shanghai
LIST = reverse("reports:daily_reports")
MAKE = reverse("reports:daily_report_make")
PDF = b"%PDF-1.7 a stored report"


@pytest.fixture(autouse=True)
def _clock():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def ready(store, day: dt.date, version: int = 1, *, requested_by=None) -> DailyReport:
    """A version as the render step leaves it (the PDF's bytes are the test's own)."""
    report = DailyReport(store=store, day=day, version=version, language="zh-hans",
                         status=DailyReportStatus.READY, requested_by=requested_by,
                         sha256=hashlib.sha256(PDF).hexdigest(), size=len(PDF),
                         created_at=NOW, rendered_at=NOW)
    report.file.save(f"{store.code}-{day}-v{version}.pdf", ContentFile(PDF), save=False)
    report.save()
    return report


# --- Access --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.MANAGER, Role.SUPERVISOR])
def test_the_manager_and_supervisors_see_the_list(client, make_user, role):
    client.force_login(make_user(role, username=f"u-{role}"))
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.FINANCE,
                                  Role.MARKETING])
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role, username=f"u-{role}"))
    assert client.get(LIST).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_shows_the_stores_versions_only(client, store, other_store, manager):
    mine = ready(store, TODAY - dt.timedelta(days=1))
    ready(store, TODAY - dt.timedelta(days=1), 2, requested_by=manager)
    theirs = ready(other_store, TODAY - dt.timedelta(days=2))
    client.force_login(english(manager))

    response = client.get(LIST)

    rows = response.context["rows"]
    assert [(r.day, r.version) for r in rows] == [(mine.day, 2), (mine.day, 1)]
    text = response.content.decode()
    assert mine.sha256[:12] in text
    assert "The evening job" in text and manager.name in text
    assert reverse("reports:daily_report_download", args=[theirs.pk]) not in text


def test_the_month_filter(client, store, manager):
    ready(store, dt.date(2026, 2, 27))
    ready(store, dt.date(2026, 3, 1))
    client.force_login(english(manager))

    rows = client.get(LIST, {"month": "2026-02"}).context["rows"]
    assert [r.day for r in rows] == [dt.date(2026, 2, 27)]

    refused = client.get(LIST, {"month": "2026-13"})
    assert refused.status_code == 400
    assert "Enter a month as YYYY-MM." in refused.content.decode()


def test_an_empty_list_says_what_to_do(client, manager, supervisor):
    client.force_login(english(manager))
    assert "pick a day above and make its report" in client.get(LIST).content.decode()
    client.force_login(english(supervisor))
    text = client.get(LIST).content.decode()
    assert "ask the manager" in text and MAKE not in text


def test_the_list_costs_a_fixed_number_of_queries(client, store, manager,
                                                  django_assert_num_queries):
    client.force_login(manager)
    ready(store, TODAY, requested_by=manager)
    # session, user, the user's store, the count, the page (who asked loaded with it)
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200
    for day in (TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)):
        ready(store, day, requested_by=manager)
    with django_assert_num_queries(5):
        assert len(client.get(LIST).context["rows"]) == 3


# --- Download ------------------------------------------------------------------------------
def test_a_ready_version_downloads_as_stored(client, store, supervisor):
    report = ready(store, TODAY, 2)
    client.force_login(supervisor)

    response = client.get(reverse("reports:daily_report_download", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="DEMO-daily-report-2026-03-10-v2.pdf"')
    assert response["ETag"] == f'"{report.sha256}"'
    assert b"".join(response.streaming_content) == PDF

    again = client.get(reverse("reports:daily_report_download", args=[report.pk]),
                       HTTP_IF_NONE_MATCH=f'"{report.sha256}"')
    assert again.status_code == 304


def test_another_stores_or_an_unready_version_is_404(client, store, other_store, manager):
    theirs = ready(other_store, TODAY)
    pending = DailyReport.objects.create(store=store, day=TODAY, version=1, language="zh-hans")
    client.force_login(manager)
    for report in (theirs, pending):
        url = reverse("reports:daily_report_download", args=[report.pk])
        assert client.get(url).status_code == 404


def test_a_consultant_cannot_download(client, store, consultant):
    report = ready(store, TODAY)
    client.force_login(consultant)
    url = reverse("reports:daily_report_download", args=[report.pk])
    assert client.get(url).status_code == 403


# --- Make again ----------------------------------------------------------------------------
def test_the_manager_makes_a_day_again(client, store, manager,
                                       django_capture_on_commit_callbacks):
    first = ready(store, TODAY - dt.timedelta(days=1))
    client.force_login(manager)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(MAKE, {"day": "2026-03-09"})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?month=2026-03"
    assert len(queued) == 1
    versions = DailyReport.objects.filter(store=store, day=first.day).order_by("version")
    assert [(r.version, r.status, r.requested_by) for r in versions] == [
        (1, DailyReportStatus.READY, None), (2, DailyReportStatus.PENDING, manager)]


def test_a_supervisor_cannot_make_a_day(client, store, supervisor):
    client.force_login(supervisor)
    assert client.post(MAKE, {"day": "2026-03-09"}).status_code == 403
    assert not DailyReport.objects.exists()


@pytest.mark.parametrize("day", ["2026-03-11", "2025-02-01", "not a day", ""])
def test_a_day_out_of_range_is_400_with_the_form_kept(client, store, manager, day):
    client.force_login(english(manager))

    response = client.post(MAKE, {"day": day})

    assert response.status_code == 400
    form = response.context["request_form"]
    assert "day" in form.errors
    assert form["day"].value() == day
    assert not DailyReport.objects.exists()


def test_a_day_being_made_is_a_409(client, store, manager):
    DailyReport.objects.create(store=store, day=TODAY, version=1, language="zh-hans")
    client.force_login(english(manager))

    response = client.post(MAKE, {"day": "2026-03-10"})

    assert response.status_code == 409
    assert "being made already" in response.content.decode()
    assert DailyReport.objects.count() == 1


def test_a_day_older_than_400_days_is_listed_without_make_again(client, store, manager):
    old = ready(store, dt.date(2024, 12, 31))
    client.force_login(english(manager))

    response = client.get(LIST, {"month": "2024-12"})

    assert [r.pk for r in response.context["rows"]] == [old.pk]
    text = response.content.decode()
    assert reverse("reports:daily_report_download", args=[old.pk]) in text
    assert 'value="2024-12-31"' not in text  # no "make again" for it


def test_the_list_polls_itself_while_a_version_is_being_made(client, store, manager):
    client.force_login(english(manager))
    ready(store, TODAY - dt.timedelta(days=1))
    assert 'data-testid="daily-polling"' not in client.get(LIST).content.decode()

    DailyReport.objects.create(store=store, day=TODAY, version=1, language="zh-hans")
    page = client.get(LIST).content.decode()
    assert 'data-testid="daily-polling"' in page

    fragment = client.get(LIST, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section class="card" id="daily-list"')
    assert "Being made" in text and "<html" not in text
