"""Referrals and loyalty points: an owner refers a friend (a lead with channel referral);
points are credited once when the friend's contract is signed and reversed if it is
cancelled; points are redeemed for the store's service packages. The ledger is
append-only; the account's balance, kept beside it under a row lock, never goes below 0."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import PointsEntryKind


class Referral(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    referrer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="referrals_made", verbose_name=_("referred by"))
    lead = models.OneToOneField("leads.Lead", on_delete=models.PROTECT,
                                related_name="referral", verbose_name=_("lead"))
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("contract"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "referrer", "-created_at"],
                                name="referral_referrer_idx"),
                   # The store's referral list, newest first.
                   models.Index(fields=["store", "-created_at"], name="referral_store_idx")]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.lead_id}"


class ServicePackage(models.Model):
    """What points buy (a maintenance package, a wash card): per store."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    name = models.CharField(_("package"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("points"),
                                         validators=[MinValueValidator(1),
                                                     MaxValueValidator(1_000_000)])
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["points", "id"]

    def __str__(self) -> str:
        return self.name


class LoyaltyAccount(models.Model):
    """A customer's points balance: the sum of the ledger, kept here so that a redemption
    can lock one row and the check constraint refuses a negative balance."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    # One per customer: the unique (store, customer) below.
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="loyalty_account", verbose_name=_("customer"))
    balance = models.IntegerField(_("points"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")
        constraints = [
            models.UniqueConstraint(fields=["store", "customer"],
                                    name="loyalty_one_per_customer"),
            models.CheckConstraint(condition=Q(balance__gte=0),
                                   name="loyalty_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.balance}"


class PointsEntry(models.Model):
    """One line of the append-only ledger: never updated, never deleted."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT,
                                related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=PointsEntryKind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance"))
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="entries")
    package = models.ForeignKey(ServicePackage, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="redemptions",
                                verbose_name=_("service package"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="points_entry_balance_not_negative"),
            # A reversal may take back nothing: the referrer had already spent the points
            # (the row still records that the referral was reversed, and the shortfall).
            models.CheckConstraint(condition=~Q(points=0)
                                   | Q(kind=PointsEntryKind.REFERRAL_REVERSAL),
                                   name="points_entry_not_zero"),
            models.UniqueConstraint(fields=["store", "referral", "kind"],
                                    condition=Q(referral__isnull=False),
                                    name="points_entry_once_per_referral_kind"),
        ]
        indexes = [models.Index(fields=["store", "account", "-created_at"],
                                name="points_entry_acct_idx")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.points:+d}"
