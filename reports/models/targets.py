from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.enums import TargetMetric

WEEKDAYS_VALIDATOR = RegexValidator(
    r"^1?2?3?4?5?6?7?$", _("Working weekdays are digits 1 (Monday) to 7 (Sunday), in order."))


def default_daily_report_at() -> dt.time:
    """18:30, the evening meeting's hour. A callable, not a fixed time: Django's check
    fields.W161 takes a fixed time that equals the clock (±10 s) for a mistaken now()."""
    return dt.time(18, 30)


class ReportSettings(models.Model):
    """Per store: when the daily report is made and which weekdays the store works (the
    linear pace of the month's targets counts working days only)."""

    store = models.OneToOneField("dealership.Store", on_delete=models.CASCADE,
                                 related_name="report_settings", verbose_name=_("store"))
    daily_report_at = models.TimeField(_("daily report made at (store time)"),
                                       default=default_daily_report_at)
    working_weekdays = models.CharField(_("working weekdays"), max_length=7, default="1234567",
                                        validators=[WEEKDAYS_VALIDATOR])
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")
        constraints = [models.CheckConstraint(condition=~Q(working_weekdays=""),
                                              name="report_settings_works_some_day")]

    def __str__(self) -> str:
        return str(self.store)

    def is_working_weekday(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.working_weekdays


class ClosedDay(models.Model):
    """A day the store is closed (a holiday): not a working day for the targets' pace."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    day = models.DateField(_("day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["store", "day"],
                                               name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.store} · {self.day}"


class Target(models.Model):
    """A monthly target of one metric, for one consultant or (consultant empty) the store."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="targets",
                                   verbose_name=_("consultant"))
    metric = models.CharField(_("metric"), max_length=20, choices=TargetMetric.choices)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0))])
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["month", "consultant_id", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["store", "month", "consultant", "metric"],
                                    condition=Q(consultant__isnull=False),
                                    name="target_unique_per_consultant"),
            models.UniqueConstraint(fields=["store", "month", "metric"],
                                    condition=Q(consultant__isnull=True),
                                    name="target_unique_per_store"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.get_metric_display()} · {self.value}"

    # "The first day of a month" is checked here and in the service, not by a database
    # constraint: extracting a day needs a function SQLite lacks outside Django (a restored
    # backup is checked by sqlite3 itself).
    def clean(self) -> None:
        if self.month is not None and self.month.day != 1:
            raise ValidationError({"month": _("A target month starts on its first day.")})
