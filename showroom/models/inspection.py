from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InspectionItem(models.Model):
    """One line of the store's daily showroom checklist (seed 003: 15:00–16:00)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("check"), max_length=150)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class InspectionCheck(models.Model):
    """An item ticked on a given day: who, when, fine or not, with a photo of a problem."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    item = models.ForeignKey(InspectionItem, on_delete=models.CASCADE, related_name="checks")
    ok = models.BooleanField(_("in order"))
    note = models.CharField(_("problem"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection check")
        verbose_name_plural = _("inspection checks")
        ordering = ["date", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["store", "date", "item"],
                                    name="inspection_one_check_per_item_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.item}"
