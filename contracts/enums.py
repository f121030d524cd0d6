"""Choices of the money stage: quotes, discount approvals, contracts and their documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuoteStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", pgettext_lazy("quote", "Approved")
    REJECTED = "rejected", pgettext_lazy("quote", "Rejected")
    CONTRACTED = "contracted", _("Contract drafted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A quote in these states can still be revised (a new version).
REVISABLE_QUOTE_STATUSES = (QuoteStatus.PENDING, QuoteStatus.APPROVED, QuoteStatus.REJECTED)


class ApprovalTier(models.TextChoices):
    """三级议价: who may grant a discount of this size."""

    CONSULTANT = "consultant", _("Consultant")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")


TIER_ORDER = {ApprovalTier.CONSULTANT: 1, ApprovalTier.SUPERVISOR: 2, ApprovalTier.MANAGER: 3}


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Waiting")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval", "Rejected")
    COUNTERED = "countered", _("Countered")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    COUNTER = "counter", _("Counter-offer")


class PaymentPlan(models.TextChoices):
    FULL = "full", _("Full payment")
    LOAN = "loan", _("Loan")


class TradeInCondition(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class PackageKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Free maintenance")
    WASH = "wash", _("Washing vouchers")
    WARRANTY = "warranty", _("Extended warranty")
    OTHER = "other", _("Other")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", pgettext_lazy("contract", "Approved")
    SIGNED = "signed", _("Signed")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# DESIGN §2: cancelled from any state before delivered.
CANCELLABLE_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.IN_REVIEW,
                                 ContractStatus.APPROVED, ContractStatus.SIGNED)
# States in which a contract holds its quote (one live contract per quote).
LIVE_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.IN_REVIEW,
                          ContractStatus.APPROVED, ContractStatus.SIGNED,
                          ContractStatus.DELIVERED, ContractStatus.CLOSED)


class LeadEventKind(models.TextChoices):
    """What quotes and contracts write on a lead's timeline (registered in
    ContractsConfig)."""

    QUOTE = "quote", _("Quote")
    CONTRACT = "contract", _("Contract")


class NotificationKind(models.TextChoices):
    """The decisions on a consultant's quote, contract or payment that reach them in-app
    (leads' Notification, with a link and the number; registered with the core's timeline
    kinds in ContractsConfig, as a notification's kind is one of those)."""

    DISCOUNT_APPROVED = "discount_approved", _("Discount approved")
    DISCOUNT_REJECTED = "discount_rejected", _("Discount rejected")
    DISCOUNT_COUNTERED = "discount_countered", _("Discount counter-offered")
    CONTRACT_APPROVED = "contract_approved", _("Contract approved")
    CONTRACT_REJECTED = "contract_rejected", _("Contract sent back")
    PAYMENT_CONFIRMED = "payment_confirmed", _("Payment confirmed")
    REFUND_PAID = "refund_paid", _("Refund paid")


class ContractEventKind(models.TextChoices):
    CREATED = "created", _("Drafted from the quote")
    EDITED = "edited", _("Draft edited")
    SUBMITTED = "submitted", _("Sent for review")
    APPROVED = "approved", _("Approved by the manager")
    REJECTED = "rejected", _("Sent back to draft")
    SIGNED = "signed", _("Signed")
    DEPOSIT = "deposit", _("Deposit received")
    DOCUMENT = "document", _("Contract PDF stored")
    DELIVERED = "delivered", _("Vehicle delivered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# --- The payments ledger (contracts.models.ledger) ----------------------------------------
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
