from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leads.enums import Channel


class CampaignQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class Campaign(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="campaigns", verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=12, decimal_places=2,
                                 default=Decimal("0"), validators=[MinValueValidator(0)])
    note = models.TextField(_("note"), blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="campaign_name_per_store"),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")),
                                   name="campaign_starts_before_end"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leads:campaign_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": _("A campaign ends after it starts.")})
