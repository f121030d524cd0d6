"""Sales contracts (购车合同): a snapshot of an approved quote, reviewed, signed, numbered
without gaps, with the signed PDF stored once."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.enums import (
    LIVE_CONTRACT_STATUSES,
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    PaymentPlan,
)
from contracts.models.quotes import money
from dealership.masking import mask_id_number, mask_phone
from dealership.models.audit import Audited


class Contract(Audited):
    AUDIT_FIELDS = ("status", "number", "buyer_name", "buyer_id_number", "buyer_phone",
                    "buyer_address", "payment_plan", "deposit_amount",
                    "promised_delivery_date", "promised_payment_date", "extra_terms")
    AUDIT_MASKS = {"buyer_phone": mask_phone, "buyer_id_number": mask_id_number}

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    number = models.CharField(_("contract number"), max_length=32, blank=True,
                              help_text=_("Given when the contract is signed."))
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    quote = models.ForeignKey("contracts.Quote", on_delete=models.PROTECT,
                              related_name="contracts", verbose_name=_("quote"))
    quote_version = models.ForeignKey("contracts.QuoteVersion", on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("quote version"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="contracts", verbose_name=_("customer"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="contracts", verbose_name=_("consultant"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="contracts", verbose_name=_("lead"))
    # The buyer, as on the contract (a snapshot: later edits of the customer don't change it).
    buyer_name = models.CharField(_("buyer"), max_length=50)
    buyer_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    buyer_phone = models.CharField(_("mobile phone"), max_length=20)
    buyer_address = models.CharField(_("address"), max_length=255, blank=True)
    # The vehicle.
    trim = models.ForeignKey("dealership.Trim", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("trim"))
    vehicle_description = models.CharField(_("vehicle"), max_length=200)
    colour_name = models.CharField(_("colour"), max_length=50, blank=True)
    configuration = models.TextField(_("configuration"), blank=True)
    # The price, from the quote version.
    list_price = money(_("list price"))
    discount = money(_("discount"))
    accessories_total = money(_("accessories"))
    packages_total = money(_("value-added packages"))
    insurance_estimate = money(_("insurance estimate"))
    fees = money(_("registration and fees"))
    # Copied from the quote version: a signed contract never changes with the tax rules.
    purchase_tax_included = models.BooleanField(_("purchase tax included"), default=False)
    purchase_tax = money(_("purchase tax"))
    purchase_tax_relief = money(_("new-energy purchase tax relief"))
    trade_in_value = money(_("trade-in value"))
    total_price = money(_("out-the-door price"))
    amount_due = money(_("to pay after trade-in"))
    # Payment.
    payment_plan = models.CharField(pgettext_lazy("payment plan", "payment"), max_length=8,
                                    choices=PaymentPlan.choices, default=PaymentPlan.FULL)
    down_payment = money(_("down payment"))
    loan_principal = money(_("loan amount"))
    loan_term_months = models.PositiveSmallIntegerField(_("loan term (months)"), null=True,
                                                        blank=True)
    loan_annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=5, decimal_places=2,
                                           null=True, blank=True)
    monthly_payment = money(_("monthly payment"))
    deposit_amount = money(_("deposit"))
    promised_delivery_date = models.DateField(_("promised delivery date"), null=True,
                                              blank=True)
    promised_payment_date = models.DateField(
        _("balance due by"), null=True, blank=True,
        help_text=_("When the customer has promised to pay the balance; finance is "
                    "reminded of balances still open after it."))
    extra_terms = models.TextField(_("additional terms"), blank=True)
    # The way through the states.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent for review at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason sent back"), max_length=300, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("signed with"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], condition=~Q(number=""),
                                    name="contract_number_unique_per_store"),
            models.UniqueConstraint(fields=["store", "year", "sequence"],
                                    condition=Q(sequence__isnull=False),
                                    name="contract_sequence_unique"),
            # One live contract per quote; a cancelled one frees the quote's slot.
            models.UniqueConstraint(fields=["store", "quote"],
                                    condition=Q(status__in=LIVE_CONTRACT_STATUSES),
                                    name="contract_one_live_per_quote"),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(number=""),
                name="contract_signed_has_number"),
            models.CheckConstraint(condition=Q(deposit_amount__gte=0),
                                   name="contract_deposit_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="contract_cancelled_has_reason"),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"],
                         name="contract_store_status_idx"),
            models.Index(fields=["store", "consultant", "-created_at"],
                         name="contract_consultant_idx"),
            # The contract list's order: a page is read off the store's newest entries.
            models.Index(fields=["store", "-created_at", "-id"], name="contract_list_idx"),
            # The §3 figures and the meetings: a period's signed contracts per consultant,
            # an index-only range on PostgreSQL.
            models.Index(fields=["store", "signed_at"], name="contract_signed_idx",
                         include=["consultant", "packages_total", "accessories_total"]),
            # After-sales reads the store's recent deliveries (the data-quality list of the
            # last 30 days, the owners' newest cars): a range on the delivery moment.
            models.Index(fields=["store", "delivered_at"], name="contract_store_delivered_idx",
                         condition=Q(delivered_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft contract #%(id)s") % {"id": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract_detail", kwargs={"pk": self.pk})

    @property
    def vehicle_price(self) -> Decimal:
        return self.list_price - self.discount

    @property
    def purchase_tax_full(self) -> Decimal:
        return self.purchase_tax + self.purchase_tax_relief

    @property
    def buyer_phone_masked(self) -> str:
        return mask_phone(self.buyer_phone)

    @property
    def buyer_id_number_masked(self) -> str:
        return mask_id_number(self.buyer_id_number)


class ContractSequence(models.Model):
    """The last contract number given per store and year: the row lock that keeps the
    numbers gapless (a rolled-back signing gives its number back)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "year"],
                                               name="contract_sequence_per_store_year")]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.year}: {self.last}"


class ContractEvent(models.Model):
    """The contract's timeline."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=ContractEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "contract", "-created_at"],
                                name="contract_event_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.get_kind_display()}"


def contract_document_path(document: ContractDocument, filename: str) -> str:
    return f"contracts/{document.contract.store_id}/{document.contract_id}/{filename}"


class ContractDocument(models.Model):
    """The signed contract's PDF: written once by a Celery task, then never changed."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT,
                                    related_name="document")
    status = models.CharField(_("status"), max_length=8, choices=DocumentStatus.choices,
                              default=DocumentStatus.PENDING)
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to=contract_document_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contract PDF")
        verbose_name_plural = _("contract PDFs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="")),
                name="contract_document_ready_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_status_display()}"
