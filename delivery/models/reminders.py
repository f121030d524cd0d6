"""What the delivery jobs have already said, so a second run (or two workers at once)
says nothing again: one row per contract, kind and store day, unique."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.enums import ReminderKind


class DeliveryReminder(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery reminder")
        verbose_name_plural = _("delivery reminders")
        constraints = [
            models.UniqueConstraint(fields=["store", "contract", "kind", "day"],
                                    name="delivery_reminder_once_a_day"),
        ]
        indexes = [models.Index(fields=["store", "kind", "day"], name="delivery_reminder_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.kind} · {self.day}"
