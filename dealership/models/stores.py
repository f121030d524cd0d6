from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.models.audit import Audited


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(value)s” is not a known time zone."),
                              params={"value": value}) from None


class DealerGroup(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("dealer group")
        verbose_name_plural = _("dealer groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Store(Audited):
    AUDIT_FIELDS = ("code", "name", "timezone", "address", "opens_at", "closes_at", "is_active",
                    "retention_years")

    group = models.ForeignKey(
        DealerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="stores",
        verbose_name=_("dealer group"),
    )
    code = models.CharField(
        _("code"), max_length=16, unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,15}$",
                                   _("Use 2 to 16 capital letters, digits or dashes."))],
        help_text=_("Short code used in contract numbers, e.g. DEMO."),
    )
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai",
                                validators=[validate_timezone])
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    opens_at = models.TimeField(_("opens at"), default=dt.time(8, 30))
    closes_at = models.TimeField(_("closes at"), default=dt.time(18, 0))
    is_active = models.BooleanField(_("active"), default=True)
    # PIPL Art. 19/47: personal data of customers who never bought is kept this long after
    # their last activity, then anonymised by the retention job.
    retention_years = models.PositiveSmallIntegerField(
        _("keep never-converted customers for … years"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)])

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")),
                                   name="store_opens_before_it_closes"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tzinfo(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    def today(self) -> dt.date:
        """The store's local date now."""
        return timezone.localdate(timezone.now(), self.tzinfo)

    def day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The store's local day as an aware [start, end) pair (right on DST days too)."""
        tz = self.tzinfo
        return (dt.datetime.combine(day, dt.time.min, tzinfo=tz),
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


class Team(models.Model):
    """A supervisor and the consultants they coach."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="teams",
                              verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=50)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supervised_teams", verbose_name=_("supervisor"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["store", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="team_name_unique_per_store"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        supervisor = self.supervisor
        if supervisor is not None and supervisor.store_id != self.store_id:
            raise ValidationError({"supervisor": _("The supervisor must work at this store.")})
