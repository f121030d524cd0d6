"""Issue 14, item 14: the lead CSV upload as a background job, its progress page, the
error report as CSV, the sweep and "try again" for a job whose message was lost."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry, Customer
from leads import importer
from leads.models import ImportBatch, ImportStatus, Lead
from leads.services.imports import import_batch_run, import_batches_to_retry
from leads.tasks import import_batch_run_task, run_pending_imports_task
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

HEADER = ("name,phone,channel,model_interest,purchase_window,budget_min,budget_max,city,note,"
          "created_at")
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
# Row 2 good, row 3 a bad phone, row 4 repeats row 2's phone, row 5 an existing customer,
# row 6 an unknown channel, row 7 good.
MIXED = "\r\n".join([
    HEADER,
    "张伟,13812345678,website,,,,,,,",
    "李娜,12345,website,,,,,,,",
    "张伟二,138 1234 5678,phone,,,,,,,",
    "老客户,13700000000,website,,,,,,,",
    "王五,13900001111,tv,,,,,,,",
    "赵六,13600001111,event,,,,,,,",
]) + "\r\n"


def queued(store, user, text: str = MIXED, **fields) -> ImportBatch:
    batch = ImportBatch(store=store, filename="leads.csv", uploaded_by=user,
                        status=ImportStatus.QUEUED, **fields)
    batch.file.save("leads.csv", ContentFile(text.encode("utf-8")), save=False)
    batch.save()
    return batch


@pytest.fixture
def marketing(make_user):
    return make_user(Role.MARKETING, language="en")


# --- The job ----------------------------------------------------------------------------------
def test_import_task_counts_good_bad_and_duplicate_rows(store, marketing, consultant):
    CustomerFactory(store=store, phone="+8613700000000")
    batch = queued(store, marketing)
    stored = batch.file.name

    result = import_batch_run_task.apply(kwargs={"batch_id": batch.pk}).get()

    batch.refresh_from_db()
    assert result == {"batch": batch.pk, "status": "done", "imported": 2, "duplicates": 2,
                      "errors": 2}
    assert (batch.status, batch.rows_total, batch.rows_done) == ("done", 6, 6)
    assert (batch.imported, batch.duplicates, batch.errors) == (2, 2, 2)
    assert [(row["row"], row["result"]) for row in batch.rows] == [
        (2, "imported"), (3, "error"), (4, "duplicate"), (5, "duplicate"), (6, "error"),
        (7, "imported")]
    assert sorted(Lead.objects.values_list("customer__phone", flat=True)) == [
        "+8613600001111", "+8613812345678"]
    assert batch.started_at is not None and batch.finished_at is not None
    # The file with the customers' phones is gone once read; the report stays.
    assert (batch.file.name, batch.file.storage.exists(stored)) == ("", False)


def test_import_task_run_twice_imports_nothing_more(store, marketing, consultant):
    batch = queued(store, marketing)
    import_batch_run(batch_id=batch.pk)
    before = (Lead.objects.count(), Customer.objects.count())

    again = import_batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert again is None
    assert (Lead.objects.count(), Customer.objects.count()) == before == (3, 3)
    assert (batch.imported, batch.duplicates, batch.errors) == (3, 1, 2)


def test_import_task_of_a_missing_batch_does_nothing(db):
    assert import_batch_run_task.apply(kwargs={"batch_id": 999}).get() is None


def test_import_task_writes_progress_every_few_rows_not_per_row(store, marketing, consultant,
                                                                monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    batch = queued(store, marketing)  # 6 rows

    with CaptureQueriesContext(connection) as queries:
        import_batch_run(batch_id=batch.pk)

    updates = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith('UPDATE "leads_importbatch"')]
    # claim, before the first row, after rows 2 and 4, the finish
    assert len(updates) == 5


def test_import_task_of_an_unreadable_file_fails_with_the_reason(store, marketing):
    batch = queued(store, marketing, text="name,city\r\n张伟,深圳\r\n")

    import_batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.failure, batch.rows) == (
        "failed",
        "The file is missing the column(s) phone, channel. Its first row must name the "
        "columns: name, phone, channel, model_interest, purchase_window, budget_min, "
        "budget_max, city, note, created_at.",
        [])
    assert Lead.objects.count() == 0


def test_import_task_reports_in_the_uploaders_language(store, make_user, consultant):
    uploader = make_user(Role.MARKETING, language="zh-hans")
    batch = queued(store, uploader, text=f"{HEADER}\r\n李娜,12345,website,,,,,,,\r\n")

    import_batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.rows == [{"row": 2, "result": "error", "message": "手机号无效。"}]


# --- The upload -------------------------------------------------------------------------------
def test_upload_queues_the_job_and_imports_nothing_in_the_request(
        client, store, marketing, consultant, django_capture_on_commit_callbacks):
    client.force_login(marketing)

    with (mock.patch.object(import_batch_run_task, "apply_async") as publish,
          django_capture_on_commit_callbacks(execute=True)):
        response = client.post("/leads/import/", {
            "file": SimpleUploadedFile("五一.csv", MIXED.encode("gb18030"))})

    batch = ImportBatch.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/leads/import/{batch.pk}/")
    assert (batch.status, batch.filename, batch.uploaded_by, batch.rows_done) == (
        "queued", "五一.csv", marketing, 0)
    assert (Lead.objects.count(), Customer.objects.count()) == (0, 0)
    assert publish.call_args.kwargs["kwargs"] == {"batch_id": batch.pk}
    assert batch.file.read() == MIXED.encode("gb18030")


def test_upload_with_the_broker_down_stays_queued_for_the_sweep(
        client, store, marketing, django_capture_on_commit_callbacks):
    client.force_login(marketing)

    with (mock.patch.object(import_batch_run_task.app, "connection_for_write",
                            side_effect=OSError("broker down")),
          django_capture_on_commit_callbacks(execute=True)):
        response = client.post("/leads/import/", {
            "file": SimpleUploadedFile("leads.csv", MIXED.encode())})

    batch = ImportBatch.objects.get()
    assert (response.status_code, batch.status) == (302, "queued")
    with mock.patch.object(timezone, "now", return_value=batch.created_at
                           + dt.timedelta(minutes=3)):
        assert import_batches_to_retry(now=timezone.now()) == [batch.pk]


# --- The sweep --------------------------------------------------------------------------------
def test_sweep_requeues_lost_and_dead_batches_only(store, marketing):
    lost = queued(store, marketing, created_at=NOW - dt.timedelta(minutes=5))
    fresh = queued(store, marketing, created_at=NOW - dt.timedelta(minutes=1))
    dead = queued(store, marketing, created_at=NOW - dt.timedelta(hours=1))
    ImportBatch.objects.filter(pk=dead.pk).update(status=ImportStatus.RUNNING,
                                                  started_at=NOW - dt.timedelta(minutes=40))
    alive = queued(store, marketing, created_at=NOW - dt.timedelta(minutes=20))
    ImportBatch.objects.filter(pk=alive.pk).update(status=ImportStatus.RUNNING,
                                                   started_at=NOW - dt.timedelta(minutes=10))

    ids = import_batches_to_retry(now=NOW)

    assert ids == [dead.pk, lost.pk]
    statuses = dict(ImportBatch.objects.values_list("pk", "status"))
    assert (statuses[dead.pk], statuses[alive.pk], statuses[fresh.pk]) == (
        "queued", "running", "queued")


def test_sweep_task_queues_each_batch(store, marketing):
    batch = queued(store, marketing, created_at=timezone.now() - dt.timedelta(minutes=5))

    with mock.patch.object(import_batch_run_task, "delay") as delay:
        result = run_pending_imports_task.apply().get()

    assert result == {"queued": 1}
    assert delay.call_args.kwargs == {"batch_id": batch.pk}


# --- The progress page ------------------------------------------------------------------------
def test_progress_page_of_a_running_import_polls(client, store, marketing):
    batch = queued(store, marketing)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, rows_total=200,
                                                   rows_done=100, imported=90, errors=10)
    client.force_login(marketing)

    page = client.get(f"/leads/import/{batch.pk}/")
    poll = client.get(f"/leads/import/{batch.pk}/", HTTP_HX_TARGET="import-progress", **HTMX)

    html = poll.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert html.lstrip().startswith('<section id="import-progress"')
    assert 'hx-trigger="every 2s"' in html
    assert "100 of 200 rows" in html
    assert '<progress max="100" value="50">' in html
    assert "<h1>" not in html


def test_progress_poll_of_a_finished_import_reloads_the_page(client, store, marketing,
                                                             consultant):
    batch = queued(store, marketing)
    import_batch_run(batch_id=batch.pk)
    client.force_login(marketing)

    poll = client.get(f"/leads/import/{batch.pk}/", HTTP_HX_TARGET="import-progress", **HTMX)
    page = client.get(f"/leads/import/{batch.pk}/")

    assert (poll.status_code, poll["HX-Refresh"]) == (200, "true")
    assert 'hx-trigger="every 2s"' not in page.content.decode()
    assert len(page.context["page"].object_list) == 6


def test_progress_page_of_another_store_is_404(client, other_store, marketing):
    foreign = queued(other_store, None)
    client.force_login(marketing)

    responses = [client.get(f"/leads/import/{foreign.pk}/"),
                 client.get(f"/leads/import/{foreign.pk}/errors.csv"),
                 client.post(f"/leads/import/{foreign.pk}/retry/")]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_progress_page_shows_why_a_file_failed(client, store, marketing):
    batch = queued(store, marketing, text="name,city\r\n张伟,深圳\r\n")
    import_batch_run(batch_id=batch.pk)
    client.force_login(marketing)

    response = client.get(f"/leads/import/{batch.pk}/")

    assert response.status_code == 200
    assert "The file is missing the column(s) phone, channel." in response.content.decode()


# --- The error report -------------------------------------------------------------------------
def test_error_report_csv_lists_the_bad_rows(client, store, marketing, consultant):
    batch = queued(store, marketing)
    import_batch_run(batch_id=batch.pk)
    client.force_login(marketing)

    response = client.get(f"/leads/import/{batch.pk}/errors.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{batch.pk}-errors.csv"'
    assert b"".join(response.streaming_content).decode() == (
        "\ufeffRow,Reason\r\n"
        "3,Invalid phone number.\r\n"
        "6,\"Unknown channel “tv”; use one of: walk_in, phone, website, vertical_media, "
        "short_video, referral, partner, event, other.\"\r\n")


def test_error_report_csv_is_formula_safe(client, store, marketing):
    batch = ImportBatch.objects.create(store=store, filename="x.csv", errors=1, rows=[
        {"row": 2, "result": "error", "message": "=HYPERLINK(\"http://x\")"},
        {"row": 3, "result": "imported", "message": ""}])
    client.force_login(marketing)

    response = client.get(f"/leads/import/{batch.pk}/errors.csv")

    assert b"".join(response.streaming_content).decode() == (
        "\ufeffRow,Reason\r\n2,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n")


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.FINANCE])
def test_error_report_and_retry_are_forbidden_to_other_roles(client, store, make_user, role):
    batch = queued(store, None, created_at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(make_user(role))

    responses = [client.get(f"/leads/import/{batch.pk}/errors.csv"),
                 client.post(f"/leads/import/{batch.pk}/retry/")]

    assert [r.status_code for r in responses] == [403, 403]
    assert AuditEntry.objects.count() == 0


# --- Try again --------------------------------------------------------------------------------
def test_retry_queues_a_stalled_import_again(client, store, marketing):
    batch = queued(store, marketing, created_at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(marketing)

    with mock.patch.object(import_batch_run_task, "apply_async") as publish:
        response = client.post(f"/leads/import/{batch.pk}/retry/")

    assert (response.status_code, response["Location"]) == (302, f"/leads/import/{batch.pk}/")
    assert publish.call_args.kwargs["kwargs"] == {"batch_id": batch.pk}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.actor) == (
        AuditAction.UPDATE, str(batch.pk), marketing)


def test_retry_of_a_started_import_is_refused(client, store, marketing):
    batch = queued(store, marketing, created_at=timezone.now() - dt.timedelta(minutes=5))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    client.force_login(marketing)

    with mock.patch.object(import_batch_run_task, "apply_async") as publish:
        response = client.post(f"/leads/import/{batch.pk}/retry/")

    assert response.status_code == 409
    assert response.context["refusal"] == (
        "This import is not waiting any more: it has started or finished.")
    assert (publish.call_count, AuditEntry.objects.count()) == (0, 0)


def test_retry_right_after_the_upload_is_refused(client, store, marketing):
    batch = queued(store, marketing)
    client.force_login(marketing)

    with mock.patch.object(import_batch_run_task, "apply_async") as publish:
        response = client.post(f"/leads/import/{batch.pk}/retry/")

    assert response.status_code == 409
    assert response.context["refusal"] == (
        "This import was queued a moment ago; give it two minutes before trying again.")
    assert (publish.call_count, AuditEntry.objects.count()) == (0, 0)


def test_progress_page_offers_retry_only_when_stalled(client, store, marketing):
    stalled = queued(store, marketing, created_at=timezone.now() - dt.timedelta(minutes=5))
    fresh = queued(store, marketing)
    client.force_login(marketing)

    pages = [client.get(f"/leads/import/{batch.pk}/").content.decode()
             for batch in (stalled, fresh)]

    assert [f"/leads/import/{b.pk}/retry/" in html for b, html in zip(
        (stalled, fresh), pages, strict=True)] == [True, False]


# --- Two workers at once (PostgreSQL) ---------------------------------------------------------
def test_two_workers_running_the_same_import_import_it_once(transactional_db, store, make_user,
                                                            consultant):
    require_postgres()
    batch = queued(store, make_user(Role.MARKETING, language="en"))

    results = race(lambda: import_batch_run(batch_id=batch.pk),
                   lambda: import_batch_run(batch_id=batch.pk))

    assert sorted(result is None for result in results) == [False, True]
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.duplicates, batch.errors) == ("done", 3, 1, 2)
    assert Lead.objects.count() == 3
