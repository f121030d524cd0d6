"""Quotes (报价) with every saved version kept, and the approvals of their discounts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.enums import (
    ApprovalStatus,
    ApprovalTier,
    PaymentPlan,
    QuoteStatus,
    TradeInCondition,
)
from dealership.money import ZERO


def money(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class Quote(models.Model):
    """One negotiation with one customer; its content lives in its versions."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="quotes", verbose_name=_("customer"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="quotes", verbose_name=_("lead"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="quotes", verbose_name=_("consultant"))
    status = models.CharField(_("status"), max_length=12, choices=QuoteStatus.choices,
                              default=QuoteStatus.PENDING)
    current_version = models.ForeignKey("contracts.QuoteVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("current version"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("added on"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["store", "status", "-updated_at"], name="quote_store_status_idx"),
            models.Index(fields=["store", "consultant", "-updated_at"],
                         name="quote_consultant_idx"),
            # The quote list's order: a page is read off the store's latest changes.
            models.Index(fields=["store", "-updated_at", "-id"], name="quote_list_idx"),
        ]

    def __str__(self) -> str:
        return str(_("Quote %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("contracts:quote_detail", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        return f"Q{self.pk:06d}" if self.pk else "—"


class QuoteVersion(models.Model):
    """One saved state of a quote. Never changed after it is written: a change is a new
    version, with what changed against the one before."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="versions",
                              verbose_name=_("quote"))
    number = models.PositiveIntegerField(_("version"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    # The car.
    trim = models.ForeignKey("dealership.Trim", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("trim"))
    colour = models.ForeignKey("dealership.Colour", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("colour"))
    vehicle = models.ForeignKey("dealership.StockVehicle", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("vehicle in stock"))
    list_price = money(_("list price"))
    discount = money(_("discount"))
    # Line items as they were offered: [{"id", "code", "name", "unit_price", "quantity",
    # "amount"}] and [{"id", "name", "kind", "price"}]; prices are strings of Decimals.
    accessories = models.JSONField(_("accessories"), default=list, blank=True)
    packages = models.JSONField(_("value-added packages"), default=list, blank=True)
    accessories_total = money(_("accessories"))
    packages_total = money(_("value-added packages"))
    # Trade-in (置换) appraisal.
    trade_in_make = models.CharField(_("trade-in make"), max_length=40, blank=True)
    trade_in_model = models.CharField(_("trade-in model"), max_length=60, blank=True)
    trade_in_year = models.PositiveSmallIntegerField(_("trade-in year"), null=True, blank=True)
    trade_in_mileage_km = models.PositiveIntegerField(_("trade-in mileage (km)"), null=True,
                                                      blank=True)
    trade_in_condition = models.CharField(_("trade-in condition"), max_length=10, blank=True,
                                          choices=TradeInCondition.choices)
    trade_in_value = money(_("trade-in value"))
    trade_in_appraiser = models.CharField(_("appraised by"), max_length=50, blank=True)
    insurance_estimate = money(_("insurance estimate"))
    fees = money(_("registration and fees"))
    # Purchase tax (车辆购置税) as due on the day the version was written (contracts.tax);
    # included only when the store's policy shows it, and then part of the out-the-door.
    purchase_tax_included = models.BooleanField(_("purchase tax included"), default=False)
    purchase_tax = money(_("purchase tax"))
    purchase_tax_relief = money(_("new-energy purchase tax relief"))
    # Payment.
    payment_plan = models.CharField(pgettext_lazy("payment plan", "payment"), max_length=8,
                                    choices=PaymentPlan.choices, default=PaymentPlan.FULL)
    down_payment = money(_("down payment"))
    loan_term_months = models.PositiveSmallIntegerField(
        _("loan term (months)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)])
    loan_annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=5, decimal_places=2,
                                           null=True, blank=True)
    loan_principal = money(_("loan amount"))
    monthly_payment = money(_("monthly payment"))
    total_interest = money(_("total interest"))
    # Totals, derived once when the version is written (a version never changes).
    out_the_door = money(_("out-the-door price"))
    amount_due = money(_("to pay after trade-in"))
    # The approval this version needs, and why it may go below the floor.
    tier_required = models.CharField(_("approval needed from"), max_length=12,
                                     choices=ApprovalTier.choices)
    below_floor = models.BooleanField(_("below the floor"), default=False)
    floor_reason = models.CharField(_("reason for going below the floor"), max_length=200,
                                    blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # [{"field": name, "old": text, "new": text}] against the version before; screens
    # label a field with its verbose name.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("quote version")
        verbose_name_plural = _("quote versions")
        ordering = ["quote", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["store", "quote", "number"],
                                    name="quote_version_unique"),
            models.CheckConstraint(condition=Q(discount__gte=0),
                                   name="quote_discount_not_negative"),
            models.CheckConstraint(condition=Q(below_floor=False) | ~Q(floor_reason=""),
                                   name="quote_below_floor_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.quote.number} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:quote_version", kwargs={"pk": self.quote_id,
                                                          "number": self.number})

    @property
    def vehicle_price(self) -> Decimal:
        return self.list_price - self.discount

    @property
    def purchase_tax_full(self) -> Decimal:
        return self.purchase_tax + self.purchase_tax_relief


class ApprovalRequest(models.Model):
    """A discount above the author's authority, waiting for (or decided by) the next tier."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="approvals",
                              verbose_name=_("quote"))
    version = models.ForeignKey(QuoteVersion, on_delete=models.CASCADE, related_name="approvals",
                                verbose_name=_("version"))
    tier = models.CharField(_("approval needed from"), max_length=12,
                            choices=ApprovalTier.choices)
    status = models.CharField(_("status"), max_length=12, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    discount = money(_("discount asked"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("asked by"))
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    counter_discount = models.DecimalField(_("counter-offer discount"), max_digits=12,
                                           decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("discount approval")
        verbose_name_plural = _("discount approvals")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per quote: a new version supersedes the waiting one.
            models.UniqueConstraint(fields=["store", "quote"], condition=Q(status="pending"),
                                    name="approval_one_pending_per_quote"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="approval_decided_has_time"),
        ]
        indexes = [models.Index(fields=["store", "status", "tier"], name="approval_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.quote.number} · {self.get_tier_display()}"
