"""Finance and insurance on a contract: the loan application to a lender and the
insurance policies bought with the car."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.enums import InsuranceKind, LoanStatus


class LoanApplication(models.Model):
    """One per contract; a rejected one may be sent again (to another lender), which
    updates the row and is audited."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    # One per contract: the unique (store, contract) below.
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="loan_application", verbose_name=_("contract"))
    lender = models.CharField(_("lender"), max_length=100)
    amount = models.DecimalField(_("loan amount (CNY)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(6), MaxValueValidator(96)])
    annual_rate = models.DecimalField(
        _("annual rate (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("36"))])
    status = models.CharField(_("status"), max_length=10, choices=LoanStatus.choices,
                              default=LoanStatus.SUBMITTED)
    # {"id_card": true, "income_proof": false, …} over delivery.enums.LoanDocument.
    documents = models.JSONField(_("documents received"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decision recorded by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "contract"], name="loan_one_per_contract"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
        ]
        indexes = [models.Index(fields=["store", "status"], name="loan_store_status_idx")]

    def __str__(self) -> str:
        return f"{self.lender} ¥{self.amount}"


class InsurancePolicy(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="insurance_policies",
                                 verbose_name=_("contract"))
    insurer = models.CharField(_("insurer"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=InsuranceKind.choices)
    premium = models.DecimalField(_("premium (CNY)"), max_digits=10, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01"))])
    policy_number = models.CharField(_("policy number"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "insurer", "policy_number"],
                                    name="insurance_policy_number_unique"),
            models.CheckConstraint(condition=Q(premium__gt=0), name="insurance_premium_positive"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")),
                                   name="insurance_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"
