"""The web upload of a lead CSV as a background job (DESIGN §4 "Lead CSV import").

The request only stores the file and a queued ImportBatch; the Celery task
`leads.run_import` reads it with the same core as `manage.py import_leads`
(leads.importer.import_rows). The broker is never on the request's critical path: the
task is queued after commit, and a batch whose message was lost (or whose worker died)
is queued again by the sweep `leads.run_pending_imports`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from dealership.tasks import task_enqueue
from leads.importer import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    display_name,
    import_rows,
    report_counts,
)
from leads.models import Campaign, ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

# A queued batch nobody started after this long lost its message: the sweep queues it again.
QUEUED_GRACE = dt.timedelta(minutes=2)
# Longer than the task's hard time limit: a batch "running" since then lost its worker.
RUNNING_TIMEOUT = dt.timedelta(minutes=35)


def import_batch_queue(*, store: Store, upload: File, actor: User,
                       campaign: Campaign | None = None) -> ImportBatch:
    """Store an uploaded CSV as a queued import and queue its task after commit.

    The caller has checked the file (leads.importer.import_file_check). Side effects: the
    file in the default storage (not served publicly), the ImportBatch row, the task.
    """
    if campaign is not None and campaign.store_id != store.pk:
        raise ValidationError({"campaign": _("The campaign belongs to another store.")})
    with transaction.atomic():
        batch = ImportBatch(store=store, filename=display_name(upload.name), campaign=campaign,
                            uploaded_by=actor, status=ImportStatus.QUEUED)
        upload.seek(0)
        batch.file.save(batch.filename, upload, save=False)
        batch.save()
        transaction.on_commit(lambda: import_batch_enqueue(batch.pk))
    return batch


def import_batch_enqueue(batch_id: int) -> bool:
    """Queue the import without waiting on the broker; one that is down leaves the batch
    queued for the sweep (or the progress page's "try again")."""
    from leads.tasks import import_batch_run_task

    return task_enqueue(import_batch_run_task, batch_id=batch_id)


def _claim(batch_id: int, now: dt.datetime) -> ImportBatch | None:
    with transaction.atomic():
        batch = (ImportBatch.objects.select_for_update(of=("self",))
                 .select_related("store", "campaign", "uploaded_by")
                 .filter(pk=batch_id).first())
        # Only a queued batch is taken: a second message for the same batch (the sweep and
        # the upload both queued it, or the task ran twice) finds it running or finished.
        if batch is None or batch.status != ImportStatus.QUEUED:
            return None
        batch.status, batch.started_at = ImportStatus.RUNNING, now
        batch.rows_done = batch.imported = batch.duplicates = batch.errors = 0
        batch.save(update_fields=["status", "started_at", "rows_done", "imported",
                                  "duplicates", "errors"])
    return batch


def _save_progress(batch_id: int):
    def progress(total: int, done: int, counts: dict[str, int]) -> None:
        ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.RUNNING).update(
            rows_total=total, rows_done=done, imported=counts[IMPORTED],
            duplicates=counts[DUPLICATE], errors=counts[ERROR])
    return progress


def _finish(batch: ImportBatch, **fields) -> ImportBatch:
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.finished_at = timezone.now()
    # The file holds customers' phones: once read, only the report is kept.
    if batch.file:
        batch.file.delete(save=False)
    batch.save(update_fields=[*fields, "finished_at", "file"])
    return batch


def import_batch_run(*, batch_id: int, now: dt.datetime | None = None) -> ImportBatch | None:
    """Run a queued import: capture the file's leads and keep the report on the batch.

    Returns None when there is nothing to do (no such batch, or it is not queued), so a
    repeated run imports nothing. Progress is written every PROGRESS_EVERY rows; the report
    is in the uploader's language. A file refused as a whole ends "failed" with the reason.
    Side effects: those of import_rows; the batch's status, counts, report; its file deleted.
    """
    batch = _claim(batch_id, now or timezone.now())
    if batch is None:
        return None
    language = batch.uploaded_by.language if batch.uploaded_by else settings.LANGUAGE_CODE
    try:
        with translation.override(language), batch.file.open("rb") as stored:
            data = stored.read()
            report = import_rows(store=batch.store, data=data, actor=batch.uploaded_by,
                                 campaign=batch.campaign, progress=_save_progress(batch.pk))
    except ValidationError as error:
        with translation.override(language):
            reason = " ".join(error.messages)[:500]
        return _finish(batch, status=ImportStatus.FAILED, failure=reason)
    except Exception:
        logger.exception("lead import %s stopped", batch.pk)
        with translation.override(language):
            reason = _("The import stopped because of an error on our side. Upload the file "
                       "again: rows already imported are reported as duplicates.")
        _finish(batch, status=ImportStatus.FAILED, failure=reason)
        raise
    counts = report_counts(report)
    return _finish(batch, status=ImportStatus.DONE, rows=report, rows_total=len(report),
                   rows_done=len(report), imported=counts[IMPORTED],
                   duplicates=counts[DUPLICATE], errors=counts[ERROR])


def import_batches_to_retry(*, now: dt.datetime, limit: int = 100) -> list[int]:
    """The sweep: batches queued for a while (their message was lost: the broker was down)
    and batches "running" past the task's time limit (the worker died), set back to queued.
    Returns their ids, for the caller to queue. A re-run imports nothing twice: the rows a
    dead worker got through are duplicates now (their phones are customers)."""
    with transaction.atomic():
        ImportBatch.objects.filter(status=ImportStatus.RUNNING,
                                   started_at__lt=now - RUNNING_TIMEOUT).update(
            status=ImportStatus.QUEUED)
        return list(ImportBatch.objects.filter(status=ImportStatus.QUEUED,
                                               created_at__lt=now - QUEUED_GRACE)
                    .order_by("created_at").values_list("pk", flat=True)[:limit])


def import_batch_retry(*, batch: ImportBatch, actor: User,
                       now: dt.datetime | None = None) -> bool:
    """"Try again" on a batch still queued QUEUED_GRACE after its upload: queue its task
    once more (harmless if the first message turns up after all: only one run claims the
    batch). Refuses a batch that has started or finished, or was queued a moment ago.
    Returns whether the broker took it. Side effects: the task; an audit row."""
    now = now or timezone.now()
    if batch.status != ImportStatus.QUEUED:
        raise ValidationError(_("This import is not waiting any more: it has started or "
                                "finished."), code="not_queued")
    if batch.created_at >= now - QUEUED_GRACE:
        raise ValidationError(_("This import was queued a moment ago; give it two minutes "
                                "before trying again."), code="too_soon")
    audit_log(actor=actor, instance=batch, action=AuditAction.UPDATE,
              changes={"requeued": True}, reason=_("Import queued again"))
    return import_batch_enqueue(batch.pk)
