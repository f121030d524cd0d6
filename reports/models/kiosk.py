from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KioskLink(models.Model):
    """A wall screen's link (DESIGN §4 `kiosk_link`): the URL carries a signature of the
    link's key, so a tampered path is refused without a lookup; revoking it ends it."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    key = models.CharField(max_length=32, unique=True, editable=False)
    label = models.CharField(_("where the screen is"), max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("revoked by"))

    class Meta:
        verbose_name = _("wall-screen link")
        verbose_name_plural = _("wall-screen links")
        ordering = ["-created_at", "-id"]
        # The manager's list: the store's links, newest first.
        indexes = [models.Index(fields=["store", "-created_at"], name="kiosk_link_store_idx")]

    def __str__(self) -> str:
        return self.label or f"{self.store} · {self.created_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
