from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class CommissionScheme(models.Model):
    """One version of a store's commission scheme (seed 002 提成), in force from the first
    day of `valid_from`'s month until the next version. A version whose month has begun is
    never edited: a change is a new version, so past months keep their figures."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    valid_from = models.DateField(_("in force from"), help_text=_("The first day of a month."))
    # The base is the contract's value-added revenue, packages and accessories (精品) alike:
    # the same figure as the targets' "value-added revenue" (reports.metrics).
    value_added_percent = models.DecimalField(_("value-added: packages and accessories (%)"),
                                              max_digits=5,
                                              decimal_places=2, default=Decimal(0),
                                              validators=PERCENT)
    # Of the loan amount when the contract's loan was approved or disbursed.
    finance_percent = models.DecimalField(_("finance attached: loan amount (%)"), max_digits=5,
                                          decimal_places=2, default=Decimal(0),
                                          validators=PERCENT)
    # Of the premiums of the insurance policies recorded on the contract.
    insurance_percent = models.DecimalField(_("insurance attached: premiums (%)"), max_digits=5,
                                            decimal_places=2, default=Decimal(0),
                                            validators=PERCENT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("commission scheme")
        verbose_name_plural = _("commission schemes")
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["store", "valid_from"],
                                    name="commission_scheme_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.valid_from:%Y-%m}"

    # Checked here and in the service rather than by a constraint: see Target.clean.
    def clean(self) -> None:
        if self.valid_from is not None and self.valid_from.day != 1:
            raise ValidationError({"valid_from": _("Choose the month the version starts in.")})


class CommissionTier(models.Model):
    """From `min_units` units in the month, each unit earns `amount_per_unit` (CNY)."""

    # The scheme's store, copied when the tier is written (distribution by store).
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    scheme = models.ForeignKey(CommissionScheme, on_delete=models.CASCADE, related_name="tiers",
                               verbose_name=_("scheme"))
    min_units = models.PositiveSmallIntegerField(_("from units in the month"))
    amount_per_unit = models.DecimalField(_("amount per unit (CNY)"), max_digits=10,
                                          decimal_places=2,
                                          validators=[MinValueValidator(Decimal(0))])

    class Meta:
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        ordering = ["min_units"]
        constraints = [
            models.UniqueConstraint(fields=["store", "scheme", "min_units"],
                                    name="commission_tier_unique_start"),
            models.CheckConstraint(condition=Q(amount_per_unit__gte=0),
                                   name="commission_tier_not_negative"),
        ]

    def __str__(self) -> str:
        return f"≥{self.min_units} · {self.amount_per_unit}"
