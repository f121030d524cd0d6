"""The reports stage's objects of the access matrix's world (tests/test_access_matrix.py),
made through the reports services wherever one exists, so each row is one the product
could have written.

Kinds:

- per ownership: `commission_consultant` (the ownership's consultant, as the
  `consultant_id` of their commission statement);
- store-level (own and foreign only): `closed_day` (a closed day of the store next week),
  `meeting_note` (the manager's note on today's morning meeting), `kiosk_link` (an active
  wall-screen link), `wall_link`, `wall_link_meeting`, `wall_link_panel` (its signed
  public URL: the screen, the evening meeting, the evening's first panel),
  `daily_report` (a ready version of yesterday's daily report PDF; the own store's is
  rendered once through `daily_report_render`, the foreign store's is requested through
  the service and given the same stored PDF, so the world pays for one render only);
- own only: `meeting_morning` (the `<meeting>` of the note form's URL: no object).

The daily reports' PDFs are made while the world is built, before any test's MEDIA_ROOT
exists: they are rendered into a temporary directory, and `STORED_FILES` keeps their
names and bytes for the matrix to write into each test's MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from django.test import override_settings
from django.urls import resolve

from reports.enums import DailyReportStatus, MeetingKind, NoteTopic
from reports.models import DailyReport
from reports.services.daily import daily_report_render, daily_report_request
from reports.services.kiosk import kiosk_link_create
from reports.services.meetings import meeting_note_add
from reports.services.targets import closed_day_add

# {stored name: content} of the world's daily report PDFs, filled by `build`.
STORED_FILES: dict[str, bytes] = {}


def _ready_report(shop, boss, *, rendered: DailyReport | None) -> DailyReport:
    """Yesterday's report of `shop`, ready: rendered through the service for the first
    store; a copy of that PDF for the next (requested through the service all the same)."""
    day = shop.today() - dt.timedelta(days=1)
    report = daily_report_request(store=shop, day=day, actor=boss)
    if rendered is None:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            report = daily_report_render(report_id=report.pk)
            assert report.status == DailyReportStatus.READY, report.error
            with report.file.open("rb") as stored:
                STORED_FILES[report.file.name] = stored.read()
        return report
    name = f"reports/matrix/{shop.code}-{day:%Y-%m-%d}-v{report.version}.pdf"
    STORED_FILES[name] = STORED_FILES[rendered.file.name]
    DailyReport.objects.filter(pk=report.pk).update(
        status=DailyReportStatus.READY, file=name, sha256=rendered.sha256,
        size=rendered.size, figures=rendered.figures)
    report.refresh_from_db()
    return report


def build(put, owners: dict, *, store_level: tuple[str, ...]) -> None:
    """Add the reports kinds to the world through `put(kind, ownership, instance,
    kwargs=None, query="")`. `owners` maps each ownership to (store, consultant, manager);
    `store_level` names the ownerships store-level kinds are made for; the first of them
    is the principals' own store."""
    rendered = None
    for ownership, (shop, seller, boss) in owners.items():
        put("commission_consultant", ownership, seller, {"consultant_id": seller.pk})
        if ownership not in store_level:
            continue
        today = shop.today()
        if ownership == store_level[0]:
            put("meeting_morning", ownership, None, {"meeting": "morning"})
        put("closed_day", ownership, closed_day_add(
            store=shop, day=today + dt.timedelta(days=7), note="门店盘点", actor=boss))
        put("meeting_note", ownership, meeting_note_add(
            store=shop, day=today, meeting=MeetingKind.MORNING, topic=NoteTopic.PLAN,
            body="今天重点跟进上周试驾的客户。", actor=boss))
        link, path = kiosk_link_create(store=shop, label="展厅大屏", actor=boss)
        put("kiosk_link", ownership, link)
        signed = resolve(path).kwargs["signed"]
        put("wall_link", ownership, link, {"signed": signed})
        put("wall_link_meeting", ownership, link,
            {"signed": signed, "meeting": "evening"})
        put("wall_link_panel", ownership, link,
            {"signed": signed, "meeting": "evening", "slot": 1})
        report = _ready_report(shop, boss, rendered=rendered)
        rendered = rendered or report
        put("daily_report", ownership, report)
