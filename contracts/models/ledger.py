"""The payments ledger: money received on a contract and money owed back. It lives with
contracts because a contract's deposit and refund are written in the contract's own
transaction; the later stages (finance's desk, delivery's balance and loan) read and write
it through contracts.services.ledger.

The tables keep the names they had under the delivery app (`db_table`), so the move
to contracts (migrations contracts 0002 and delivery 0002) did not touch a row."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.enums import PaymentChannel, PaymentKind, RefundStatus
from dealership.money import ZERO


class Payment(models.Model):
    """Money in (or, for a refund, out) on a contract. Rows are appended, never edited,
    except for finance's confirmation."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="payments", verbose_name=_("contract"))
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    channel = models.CharField(_("paid by"), max_length=12, choices=PaymentChannel.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(ZERO)])
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        db_table = "delivery_payment"
        verbose_name = pgettext_lazy("money received", "payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["store", "receipt_number"],
                                    condition=~Q(receipt_number=""),
                                    name="payment_receipt_unique_per_store"),
        ]
        indexes = [models.Index(fields=["store", "confirmed_at"], name="payment_confirm_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount}"


class RefundObligation(models.Model):
    """Money the store owes back, created when a contract with money received is
    cancelled; finance settles it."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="refund_obligation",
                                    verbose_name=_("contract"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=8, choices=RefundStatus.choices,
                              default=RefundStatus.DUE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("refunded by"))
    settled_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        db_table = "delivery_refundobligation"
        verbose_name = _("refund owed")
        verbose_name_plural = _("refunds owed")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(status="due") | Q(settled_at__isnull=False),
                                   name="refund_paid_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} ¥{self.amount}"
