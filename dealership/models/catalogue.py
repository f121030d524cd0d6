from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.enums import Powertrain, PriceKind
from dealership.models.audit import Audited


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="series",
                              verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=50)
    body_type = models.CharField(_("body type"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["brand__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="series_name_unique_per_brand"),
        ]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.name}"


class Trim(Audited):
    AUDIT_FIELDS = ("series", "name", "model_year", "powertrain", "msrp", "seats", "is_active")

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="trims",
                               verbose_name=_("series"))
    name = models.CharField(_("trim"), max_length=80)
    model_year = models.PositiveSmallIntegerField(_("model year"))
    powertrain = models.CharField(_("powertrain"), max_length=10, choices=Powertrain.choices)
    msrp = models.DecimalField(_("MSRP (CNY)"), max_digits=12, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0.01"))])
    seats = models.PositiveSmallIntegerField(_("seats"), default=5)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("trim")
        verbose_name_plural = _("trims")
        ordering = ["series__brand__name", "series__name", "-model_year", "msrp"]
        constraints = [
            models.UniqueConstraint(fields=["series", "name", "model_year"],
                                    name="trim_unique_per_series_year"),
            models.CheckConstraint(condition=Q(msrp__gt=0), name="trim_msrp_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.model_year} {self.name}"


class Colour(Audited):
    AUDIT_FIELDS = ("series", "name", "hex_code", "surcharge", "is_active")

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="colours",
                               verbose_name=_("series"))
    name = models.CharField(_("name"), max_length=50)
    hex_code = models.CharField(_("colour code"), max_length=7, blank=True,
                                validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$")])
    surcharge = models.DecimalField(_("surcharge (CNY)"), max_digits=10, decimal_places=2,
                                    default=Decimal("0"),
                                    validators=[MinValueValidator(Decimal("0"))])
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("colour")
        verbose_name_plural = _("colours")
        ordering = ["series", "name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "name"],
                                    name="colour_name_unique_per_series"),
            models.CheckConstraint(condition=Q(surcharge__gte=0),
                                   name="colour_surcharge_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceChange(models.Model):
    """One change of a catalogue price: what it was, what it became, who changed it, when,
    and from when it applies. Quotes keep the price they were written with."""

    store = models.ForeignKey("dealership.Store", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"),
                              help_text=_("Empty for the group's catalogue (trims, colours)."))
    item_kind = models.CharField(pgettext_lazy("price history", "item"), max_length=12,
                                 choices=PriceKind.choices)
    item_id = models.PositiveBigIntegerField(_("item id"))
    item_label = models.CharField(_("item name"), max_length=200)
    field = models.CharField(_("price"), max_length=30)
    old = models.DecimalField(_("old price (CNY)"), max_digits=12, decimal_places=2,
                              null=True, blank=True)
    new = models.DecimalField(_("new price (CNY)"), max_digits=12, decimal_places=2)
    changed_by = models.ForeignKey("dealership.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            # An item's history, in its store (none for the group's catalogue).
            models.Index(fields=["store", "item_kind", "item_id", "-changed_at"],
                         name="price_change_item_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(new__gte=0), name="price_change_new_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_label}: {self.old} → {self.new}"
