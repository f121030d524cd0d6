from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.enums import DailyReportStatus


def daily_report_path(instance: DailyReport, filename: str) -> str:
    return (f"reports/daily/{instance.store_id}/{instance.day:%Y/%m}/"
            f"{instance.day:%Y-%m-%d}-v{instance.version}.pdf")


class DailyReport(models.Model):
    """One version of a store's daily report PDF. Making a day again adds a version; a
    version, once ready, is never overwritten (its hash proves it)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    day = models.DateField(_("day"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=DailyReportStatus.choices,
                              default=DailyReportStatus.PENDING)
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to=daily_report_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rendered_at = models.DateTimeField(_("made"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-day", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "version"],
                                    name="daily_report_version_unique"),
            # One version of a day in the making at a time: two managers asking at once
            # would otherwise both pass the service's check and number 2 and 3 apart.
            models.UniqueConstraint(fields=["store", "day"], name="daily_report_one_pending",
                                    condition=models.Q(status=DailyReportStatus.PENDING)),
        ]
        # The evening job's sweep: versions still pending, oldest first. Few rows are
        # pending at any time, so the sweep across stores reads the whole partial index.
        indexes = [models.Index(fields=["store", "created_at"], name="daily_report_pending_idx",
                                condition=models.Q(status=DailyReportStatus.PENDING))]

    def __str__(self) -> str:
        return f"{self.store} · {self.day} · v{self.version}"
