"""Ways leads come in without a person typing them: API keys (CSV imports: models.imports)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.enums import Channel


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A bearer key for the lead intake API, per store and channel; only its hash is kept."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE,
                              related_name="api_keys", verbose_name=_("store"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=600, validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["store", "channel", "-created_at"]

    def __str__(self) -> str:
        return f"{self.store.code} · {self.get_channel_display()} · {self.prefix}…"
