"""The daily report PDF (issue 13 §7): the evening job, the versions, the PDF's text.

The day is Tuesday 10 March 2026. The persona store works in Asia/Shanghai (UTC+8, no
summer time), so 18:30 there is 10:30 UTC; the second store works in Europe/Berlin (UTC+1
in March before the 29th), so 18:30 there is 17:30 UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import AuditAction
from dealership.models import AuditEntry
from reports.documents import daily_report_pdf
from reports.enums import DailyReportStatus, MeetingKind, NoteTopic
from reports.jobs import make_daily_reports
from reports.models import DailyReport, MeetingNote, ReportSettings
from reports.selectors.meetings import EVENING_BOARD_QUERIES, evening_board
from reports.services.daily import daily_report_render, daily_report_request
from tests.contracts.factories import make_contract
from tests.contracts.test_pdf import pdf_text
from tests.factories import CustomerFactory, StoreFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
UTC = dt.UTC


def at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def utc(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def _signed(consultant, customer, manager, moment: dt.datetime) -> Contract:
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    # Arrange: signed at `moment` (the service stamps "now").
    Contract.objects.filter(pk=contract.pk).update(signed_at=moment)
    return contract


@pytest.fixture
def day_of_work(store, consultant, teammate, manager):
    """DAY at the persona store: 3 walk-ins (2 first visits, 1 return) and 2 deals; a
    visit and a deal of the day after that must not count."""
    c1, c2, c3, c4 = (CustomerFactory(store=store, owner=consultant) for _ in range(4))
    VisitFactory(store=store, consultant=consultant, customer=c1, first_visit=True,
                 arrived_at=at(store, DAY, 10))
    VisitFactory(store=store, consultant=teammate, customer=c2, first_visit=True,
                 arrived_at=at(store, DAY, 15))
    VisitFactory(store=store, consultant=consultant, customer=c3, first_visit=False,
                 arrived_at=at(store, DAY, 23, 59))
    VisitFactory(store=store, consultant=consultant, customer=c4, first_visit=True,
                 arrived_at=at(store, DAY + dt.timedelta(days=1), 0, 1))
    _signed(consultant, c1, manager, at(store, DAY, 11))
    _signed(consultant, c3, manager, at(store, DAY, 17))
    _signed(consultant, c4, manager, at(store, DAY + dt.timedelta(days=1), 9))


def _text_of(report: DailyReport, tmp_path) -> str:
    with report.file.open("rb") as handle:
        return pdf_text(handle.read(), tmp_path)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _stat(label: str, value: int) -> str:
    with translation.override("zh-hans"):
        return _squeezed(f"{gettext(label)}{pgettext('label separator', ': ')}{value}")


# --- The job -------------------------------------------------------------------------------
def test_before_the_report_time_nothing_is_made(store):
    assert make_daily_reports(utc(10, 29)) == 0  # 18:29 in Shanghai
    assert not DailyReport.objects.exists()


def test_after_the_report_time_one_version_is_made_and_a_second_run_writes_nothing(
        store, day_of_work, tmp_path):
    assert make_daily_reports(utc(10, 31)) == 1  # 18:31 in Shanghai

    report = DailyReport.objects.get()
    assert (report.store, report.day, report.version) == (store, DAY, 1)
    assert report.status == DailyReportStatus.READY
    assert report.requested_by is None
    assert report.language == "zh-hans"
    data = report.file.read()
    assert data.startswith(b"%PDF")
    assert report.size == len(data)
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.render_ms is not None
    assert report.figures["walk_ins_first"] == 2
    assert report.figures["walk_ins_return"] == 1
    assert report.figures["deals"] == 2
    # 2 deals ÷ 2 distinct customers with a first visit; rates are stored as strings.
    assert report.figures["walk_in_conversion"] == "1.0000"
    assert report.figures["invitation_show_rate"] is None  # nothing due: "—"
    stamp = (report.sha256, report.rendered_at, report.file.name)

    assert make_daily_reports(utc(10, 41)) == 0
    assert make_daily_reports(utc(15, 59)) == 0  # 23:59 in Shanghai: still DAY
    again = DailyReport.objects.get()
    assert (again.sha256, again.rendered_at, again.file.name) == stamp


def test_each_store_is_made_on_its_own_local_time(store):
    berlin = StoreFactory(code="BER", name="柏林店", timezone="Europe/Berlin")

    # 10:40 UTC: 18:40 in Shanghai, 11:40 in Berlin.
    assert make_daily_reports(utc(10, 40)) == 1
    assert list(DailyReport.objects.values_list("store__code", "day")) == [("DEMO", DAY)]

    # 17:35 UTC: 18:35 in Berlin (still DAY); 01:35 of the 11th in Shanghai (not yet due).
    assert make_daily_reports(utc(17, 35)) == 1
    assert sorted(DailyReport.objects.values_list("store__code", "day")) == [
        ("BER", DAY), ("DEMO", DAY)]
    assert DailyReport.objects.get(store=berlin).status == DailyReportStatus.READY

    # The next evening in Shanghai: the 11th gets its own version 1.
    assert make_daily_reports(utc(10, 40, DAY + dt.timedelta(days=1))) == 1
    assert DailyReport.objects.filter(store=store, day=DAY + dt.timedelta(days=1),
                                      version=1).exists()


def test_the_stores_own_report_time_and_inactive_stores(store, other_store):
    ReportSettings.objects.create(store=store, daily_report_at=dt.time(20, 0))
    other_store.is_active = False
    other_store.save()

    assert make_daily_reports(utc(11, 59)) == 0  # 19:59 in Shanghai, before its 20:00
    assert make_daily_reports(utc(12, 0)) == 1  # 20:00
    assert list(DailyReport.objects.values_list("store__code", flat=True)) == ["DEMO"]


def test_a_day_a_manager_already_made_is_not_made_again_by_the_job(store, manager):
    with mock.patch.object(timezone, "now", return_value=utc(9)):  # 17:00 in Shanghai
        daily_report_request(store=store, day=DAY, actor=manager)

    # The queued render never ran (the broker was away): 18:31 is past the grace period.
    assert make_daily_reports(utc(10, 31)) == 1
    report = DailyReport.objects.get()
    assert (report.version, report.requested_by, report.status) == (
        1, manager, DailyReportStatus.READY)


def test_a_pending_version_within_its_grace_period_is_left_to_its_worker(store, manager):
    ReportSettings.objects.create(store=store, daily_report_at=dt.time(23, 0))
    with mock.patch.object(timezone, "now", return_value=utc(10, 30)):
        daily_report_request(store=store, day=DAY, actor=manager)

    assert make_daily_reports(utc(10, 31)) == 0
    assert DailyReport.objects.get().status == DailyReportStatus.PENDING


# --- Making a day again --------------------------------------------------------------------
def test_making_a_day_again_adds_version_2_and_keeps_version_1(
        store, manager, day_of_work, django_capture_on_commit_callbacks):
    make_daily_reports(utc(10, 31))
    first = DailyReport.objects.get()
    first_bytes = first.file.read()

    with mock.patch.object(timezone, "now", return_value=utc(12)), \
            django_capture_on_commit_callbacks() as queued:
        second = daily_report_request(store=store, day=DAY, actor=manager)
    assert len(queued) == 1  # the render is queued once the request commits
    assert (second.version, second.status, second.requested_by) == (
        2, DailyReportStatus.PENDING, manager)
    entry = AuditEntry.objects.get(object_id=str(second.pk),
                                   content_type=ContentType.objects.get_for_model(DailyReport))
    assert entry.action == AuditAction.CREATE and entry.actor == manager

    rendered = daily_report_render(report_id=second.pk, now=utc(12))
    assert rendered.status == DailyReportStatus.READY
    assert rendered.file.name != first.file.name

    first.refresh_from_db()
    assert first.status == DailyReportStatus.READY
    with first.file.open("rb") as handle:
        assert handle.read() == first_bytes
    assert first.sha256 == hashlib.sha256(first_bytes).hexdigest()
    assert list(DailyReport.objects.filter(day=DAY).values_list("version", flat=True)) == [2, 1]


def test_a_second_request_while_a_version_is_being_made_is_refused(store, manager):
    with mock.patch.object(timezone, "now", return_value=utc(12)):
        daily_report_request(store=store, day=DAY, actor=manager)
        with pytest.raises(ValidationError) as refused:
            daily_report_request(store=store, day=DAY, actor=manager)
    assert not hasattr(refused.value, "error_dict")  # the step, not a field: 409
    assert DailyReport.objects.count() == 1


def test_a_day_outside_400_days_back_to_today_is_refused_on_its_field(store, manager):
    with mock.patch.object(timezone, "now", return_value=utc(12)):
        for day in (DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=401)):
            with pytest.raises(ValidationError) as refused:
                daily_report_request(store=store, day=day, actor=manager)
            assert list(refused.value.message_dict) == ["day"]
        daily_report_request(store=store, day=DAY - dt.timedelta(days=400), actor=manager)
    assert DailyReport.objects.count() == 1


def test_only_a_manager_of_the_store_makes_a_day(store, other_store, supervisor, make_user):
    other_manager = make_user("manager", username="other-mgr", store=other_store)
    for actor in (supervisor, other_manager):
        with pytest.raises(PermissionDenied):
            daily_report_request(store=store, day=DAY, actor=actor)
    assert not DailyReport.objects.exists()


def test_a_render_that_fails_is_recorded_on_the_version(store, manager):
    with mock.patch.object(timezone, "now", return_value=utc(12)):
        report = daily_report_request(store=store, day=DAY, actor=manager)
    with mock.patch.object(FileSystemStorage, "_save", side_effect=OSError("disk full")):
        failed = daily_report_render(report_id=report.pk, now=utc(12))

    assert failed.status == DailyReportStatus.FAILED
    assert "disk full" in failed.error
    assert not failed.file and failed.sha256 == ""
    # Failed is final for the job: the manager makes the day again.
    assert make_daily_reports(utc(12, 10)) == 0


def test_rendering_a_ready_version_again_changes_nothing(store, day_of_work):
    make_daily_reports(utc(10, 31))
    report = DailyReport.objects.get()
    again = daily_report_render(report_id=report.pk, now=utc(14))
    assert (again.sha256, again.rendered_at) == (report.sha256, report.rendered_at)
    assert daily_report_render(report_id=report.pk + 1000) is None


# --- The PDF --------------------------------------------------------------------------------
def test_the_pdf_holds_the_days_figures_and_the_consultants_names(
        store, consultant, teammate, day_of_work, tmp_path):
    make_daily_reports(utc(10, 31))
    text = _squeezed(_text_of(DailyReport.objects.get(), tmp_path))

    assert _stat("Walk-ins", 3) in text
    assert _stat("First visits", 2) in text
    assert _stat("Return visits", 1) in text
    assert _stat("Deals", 2) in text
    assert "DEMO·2026-03-10" in text
    assert consultant.name in text and teammate.name in text
    # Internal document: names of consultants, never a customer's phone.
    assert "13812345678" not in text


def test_the_pdf_holds_the_managers_problems_and_tomorrows_plan_masked(
        store, consultant, manager, day_of_work, tmp_path):
    MeetingNote.objects.create(store=store, day=DAY, meeting=MeetingKind.EVENING,
                               topic=NoteTopic.PROBLEM, body="试驾车电量不足", author=manager)
    guest = CustomerFactory(store=store, owner=consultant, name="欧阳娜娜",
                            phone="+8613912345678")
    lead = LeadFactory(store=store, owner=consultant, customer=guest)
    InvitationFactory(lead=lead, expected_at=at(store, DAY + dt.timedelta(days=1), 10, 30))

    make_daily_reports(utc(10, 31))
    text = _squeezed(_text_of(DailyReport.objects.get(), tmp_path))

    assert "试驾车电量不足" in text
    assert "10:30·欧**娜·王芳" in text
    assert "欧阳娜娜" not in text and "13912345678" not in text


def test_the_pdf_is_in_chinese_with_the_embedded_font(store, consultant, day_of_work,
                                                     tmp_path):
    from tests.contracts.test_pdf import pdf_fonts

    make_daily_reports(utc(10, 31))
    with DailyReport.objects.get().file.open("rb") as handle:
        data = handle.read()
    # One font, the vendored CJK one, embedded as a subset with its Unicode map.
    fonts = pdf_fonts(data, tmp_path)
    assert len(fonts) == 1
    assert re.fullmatch(r"[A-Z]{6}\+Dealership-CJK", fonts[0]["name"])
    assert (fonts[0]["emb"], fonts[0]["sub"], fonts[0]["uni"]) == ("yes", "yes", "yes")
    assert "王芳" in pdf_text(data, tmp_path)  # CJK text is extractable


def test_the_evening_board_renders_to_a_pdf(store, consultant, teammate,
                                                   django_assert_num_queries):
    with django_assert_num_queries(EVENING_BOARD_QUERIES):
        board = evening_board(store=store, day=DAY, now=utc(12))
    assert {row.consultant for row in board.consultants_day} == {consultant, teammate}
    with translation.override("zh-hans"):
        assert daily_report_pdf(board, now=utc(12)).startswith(b"%PDF")
