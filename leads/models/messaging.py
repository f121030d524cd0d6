"""Customer messages (SMS/WeChat): an outbox table claimed atomically by the worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.enums import MessageChannel, MessageStatus


class OutboundMessage(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("dealership.Customer", on_delete=models.CASCADE,
                                 related_name="messages", verbose_name=_("customer"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="messages")
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices,
                               default=MessageChannel.SMS)
    purpose = models.CharField(_("purpose"), max_length=30)
    body = models.TextField(_("text"), max_length=500)
    # Makes a queued message unique in its store (e.g. "reactivation:<lead>:<date>"): a job
    # that runs twice, or two workers at once, can never queue, and so never send, it twice.
    dedupe_key = models.CharField(max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Pattern ops (PostgreSQL): the same index serves a campaign's count of its
            # messages, `dedupe_key LIKE 'prefix%'` in the store, whatever the collation.
            models.UniqueConstraint(fields=["store", "dedupe_key"],
                                    opclasses=["int8_ops", "varchar_pattern_ops"],
                                    name="outbox_dedupe_key_unique"),
        ]
        indexes = [
            # The Messages screen's status filter; the worker's claim, which reads every
            # store, names them so it reads only their unsent rows.
            models.Index(fields=["store", "status", "created_at"], name="outbox_status_idx"),
            models.Index(fields=["store", "customer", "-created_at"],
                         name="outbox_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.customer_id}"


class ConsentChange(models.Model):
    """A customer's yes or no to marketing messages, as it happened (STOP included)."""

    # The customer's store, copied onto the row: the table is distributed by store (Citus).
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.CASCADE,
                                 related_name="consent_changes")
    consent = models.BooleanField()
    source = models.CharField(max_length=30)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} · {'yes' if self.consent else 'no'}"
