"""Choices of the delivery and payment stage."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    BALANCE = "balance", _("Balance")
    LOAN = "loan", _("Loan disbursement")
    REFUND = "refund", _("Refund")


class PaymentChannel(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")
    WECHAT = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class RefundStatus(models.TextChoices):
    DUE = "due", _("To refund")
    PAID = "paid", _("Refunded")
