"""The delivery stage's share of the inventory: a store's thresholds and the CSV receipts.
The vehicles themselves are the core's `StockVehicle`; their status changes only through
delivery.services.inventory (and allocation and handover), each audited."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import SLOW_STOCK_DAYS


class DeliverySettings(models.Model):
    """A store's thresholds for stock and deliveries (one row per store, made on first
    use with the defaults)."""

    store = models.OneToOneField("dealership.Store", on_delete=models.CASCADE,
                                 related_name="delivery_settings", verbose_name=_("store"))
    slow_stock_days = models.PositiveSmallIntegerField(
        _("slow stock after (days)"), default=SLOW_STOCK_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("A car on hand longer than this many store days is slow stock."))
    at_risk_days = models.PositiveSmallIntegerField(
        _("delivery at risk within (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A signed contract without a car this many days before its promised "
                    "delivery date is flagged."))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return str(self.store)


class StockImport(models.Model):
    """One CSV of arrivals, with its row-by-row report (as the lead import's)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    received = models.PositiveIntegerField(_("received"), default=0)
    unchanged = models.PositiveIntegerField(_("already in stock"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "result": "error", "message": "…", "vin": "…"}, …]
    rows = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("stock import")
        verbose_name_plural = _("stock imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"], name="stock_import_store_idx")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.created_at:%Y-%m-%d %H:%M}"
