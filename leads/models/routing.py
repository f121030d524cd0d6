"""What lead routing knows of the showroom's day, pushed in by the showroom's roster."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingAvailability(models.Model):
    """Whether a consultant takes new leads on one day, as that day's roster says.

    A store with rows for today routes new leads only to consultants available today; a
    store without (no roster kept) routes by the Team page's on-duty switches alone.
    """

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    available = models.BooleanField(_("takes new leads"), default=True)

    class Meta:
        verbose_name = _("routing availability")
        verbose_name_plural = _("routing availability")
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "user"],
                                    name="routing_one_row_per_consultant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.user_id}"
