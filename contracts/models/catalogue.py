"""What a store sells around the car, and the store's discount authority."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.enums import PackageKind
from dealership.models.audit import Audited
from dealership.money import ZERO


class DiscountPolicy(Audited):
    """三级议价 for one store: how much each tier may give, and the floor below which
    nobody goes without a recorded reason."""

    AUDIT_FIELDS = ("consultant_limit", "supervisor_limit", "floor_pct", "quote_valid_days",
                    "contract_terms", "show_purchase_tax")

    store = models.OneToOneField("dealership.Store", on_delete=models.CASCADE,
                                 related_name="discount_policy", verbose_name=_("store"))
    consultant_limit = models.DecimalField(
        _("consultant may give up to (CNY)"), max_digits=10, decimal_places=2,
        default=Decimal("3000"), validators=[MinValueValidator(ZERO)])
    supervisor_limit = models.DecimalField(
        _("supervisor may give up to (CNY)"), max_digits=10, decimal_places=2,
        default=Decimal("8000"), validators=[MinValueValidator(ZERO)],
        help_text=_("Above this the manager decides."))
    floor_pct = models.DecimalField(
        # xgettext:no-python-format
        _("floor: largest discount without a recorded reason (% of the list price)"),
        max_digits=5, decimal_places=2, default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    quote_valid_days = models.PositiveSmallIntegerField(
        _("quotes are valid for (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    contract_terms = models.TextField(
        _("standard contract terms"), blank=True,
        help_text=_("One term per line; printed in every contract of the store. Empty: "
                    "the built-in terms."))
    # Off by default: turning it on changes the out-the-door price of every new quote, a
    # decision for the store, not for a migration.
    show_purchase_tax = models.BooleanField(
        _("show purchase tax in quotes"), default=False,
        help_text=_("Adds the vehicle purchase tax (with the new-energy relief) to the "
                    "out-the-door price of new quotes."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("discount policy")
        verbose_name_plural = _("discount policies")
        constraints = [
            models.CheckConstraint(condition=Q(consultant_limit__gte=0),
                                   name="discount_consultant_limit_not_negative"),
            models.CheckConstraint(condition=Q(supervisor_limit__gte=F("consultant_limit")),
                                   name="discount_supervisor_covers_consultant"),
            models.CheckConstraint(condition=Q(floor_pct__gt=0) & Q(floor_pct__lte=100),
                                   name="discount_floor_pct_range"),
        ]

    def __str__(self) -> str:
        return str(_("Discount policy of %(store)s") % {"store": self.store})

    @classmethod
    def for_store(cls, store) -> DiscountPolicy:
        """The store's policy; the defaults (unsaved) until someone changes them, so a
        read never writes."""
        policy = cls.objects.filter(store=store).first()
        if policy is None:
            return cls(store=store)
        policy.store = store  # the caller's loaded store: its today() needs no query
        return policy


class Accessory(Audited):
    """An accessory the store fits and sells (floor mats, dashcam, tow bar …)."""

    AUDIT_FIELDS = ("code", "name", "price", "is_active")

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="accessories", verbose_name=_("store"))
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(ZERO)])
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("added on"), default=timezone.now)

    class Meta:
        verbose_name = _("accessory")
        verbose_name_plural = _("accessories")
        ordering = ["store", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "code"],
                                    name="accessory_code_unique_per_store"),
            models.CheckConstraint(condition=Q(price__gte=0), name="accessory_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ValuePackage(Audited):
    """A value-added package (增值服务): free maintenance, washing vouchers …; a price of
    zero is a gift."""

    AUDIT_FIELDS = ("name", "kind", "description", "price", "is_active")

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="value_packages", verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=PackageKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2,
                                default=ZERO, validators=[MinValueValidator(ZERO)],
                                help_text=_("0 for a gift."))
    is_active = models.BooleanField(_("on offer"), default=True)

    class Meta:
        verbose_name = _("value-added package")
        verbose_name_plural = _("value-added packages")
        ordering = ["store", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"],
                                    name="package_name_unique_per_store"),
            models.CheckConstraint(condition=Q(price__gte=0), name="package_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
