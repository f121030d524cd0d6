"""Care campaigns: a templated message to a segment of the store's customers (holiday
greetings, free-inspection week, owners' events), through the outbox, consent respected."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import CampaignKind, CampaignStatus


class CareCampaign(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    name = models.CharField(_("campaign"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    template = models.TextField(_("message"), max_length=500)
    # The segment chosen: {"value": [...], "need": [...], "loyalty": [...]}; empty = all.
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    recipients = models.PositiveIntegerField(_("customers in the segment"), default=0)
    queued = models.PositiveIntegerField(_("messages queued"), default=0)

    class Meta:
        verbose_name = _("care campaign")
        verbose_name_plural = _("care campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"], name="care_campaign_store_idx")]

    def __str__(self) -> str:
        return self.name
