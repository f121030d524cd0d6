"""Lead CSV imports (DESIGN §4 "Lead CSV import"): the uploaded file, its progress, its report.

The upload stores the file and queues a Celery task; the task reads it, captures the
leads and keeps the row-by-row report here. The file lives in the default storage, which
is never served as it is (MEDIA_URL has no route): only the import's pages read it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.enums import UNFINISHED_IMPORT_STATUSES, ImportStatus


def import_file_path(batch: ImportBatch, filename: str) -> str:
    # A random name: what the uploader called the file is kept in `filename` only.
    return f"lead_imports/{batch.store_id}/{uuid.uuid4().hex}.csv"


class ImportBatch(models.Model):
    """One CSV import, with its progress and row-by-row report."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    file = models.FileField(_("uploaded file"), upload_to=import_file_path, blank=True,
                            max_length=200)
    campaign = models.ForeignKey("leads.Campaign", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.DONE)
    # Why the whole file was refused (status "failed"): encoding, header, no rows.
    failure = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    started_at = models.DateTimeField(_("import started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("import finished"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "result": "error", "message": "…"}, …], written when the run ends.
    rows = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["store", "-created_at"], name="import_store_created_idx"),
            # The sweep job's "queued or running since…" look-up (it reads every store:
            # imports are few).
            models.Index(fields=["store", "status", "created_at"], name="import_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} · {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("leads:import_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED_IMPORT_STATUSES

    @property
    def percent_done(self) -> int:
        if self.is_finished:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
