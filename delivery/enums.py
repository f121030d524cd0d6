"""Choices of the delivery stage: from a signed contract to the keys in the customer's
hands (DESIGN §2 "Delivery and payment")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LoanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to the lender")
    APPROVED = "approved", pgettext_lazy("loan", "Approved")
    REJECTED = "rejected", pgettext_lazy("loan", "Rejected")
    DISBURSED = "disbursed", _("Disbursed")


# A loan in these states counts toward the delivery gate (the lender has said yes).
LOAN_GRANTED_STATUSES = (LoanStatus.APPROVED, LoanStatus.DISBURSED)


class LoanDocument(models.TextChoices):
    """The lender's documents checklist (贷款资料)."""

    ID_CARD = "id_card", _("ID card")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    INCOME_PROOF = "income_proof", _("Proof of income")
    BANK_STATEMENT = "bank_statement", _("Bank statements (6 months)")
    RESIDENCE_PROOF = "residence_proof", _("Proof of residence")
    SIGNED_CONTRACT = "signed_contract", _("Signed purchase contract")


class InsuranceKind(models.TextChoices):
    COMPULSORY = "compulsory", _("Compulsory traffic insurance")
    COMMERCIAL = "commercial", _("Commercial insurance")


class OrderStage(models.TextChoices):
    """Where a signed contract stands on its way to the customer (seed 003)."""

    AWAITING_CAR = "awaiting_car", _("Awaiting car")
    CAR_ARRIVED = "car_arrived", _("Car arrived")
    PDI = "pdi", _("Pre-delivery inspection")
    READY = "ready", _("Ready for handover")
    DELIVERED = "delivered", _("Delivered")


class GateCondition(models.TextChoices):
    """What completing a handover requires; a manager may override one, with a reason."""

    CAR = "car", _("A car is allocated")
    PDI = "pdi", _("The pre-delivery inspection passed")
    MONEY = "money", _("The balance is settled or the loan approved")


class ReminderKind(models.TextChoices):
    BALANCE_OVERDUE = "balance_overdue", _("Balance overdue")
    DELIVERY_AT_RISK = "delivery_at_risk", _("Delivery date at risk")
    DELIVERY_TOMORROW = "delivery_tomorrow", _("Delivery due tomorrow")


class LeadEventKind(models.TextChoices):
    """What delivery writes on a lead's timeline and in staff notifications (registered
    with the core's timeline in DeliveryConfig)."""

    CAR_ALLOCATED = "car_allocated", _("Car allocated")
    PDI_PASSED = "pdi_passed", _("Inspection passed")
    PAYMENT = "payment", _("Payment recorded")
    LOAN_APPROVED = "loan_approved", _("Loan approved")
    DELIVERY_DUE = "delivery_due", _("Delivery due tomorrow")
    DELIVERY_AT_RISK = "delivery_at_risk", _("Delivery date at risk")
    BALANCE_OVERDUE = "balance_overdue", _("Balance overdue")
    DELIVERED = "delivered", _("Car delivered")


# The handover ceremony (seed 000 交车仪式 / 004): each a box the consultant ticks with the
# customer; all are needed to complete the handover.
HANDOVER_CHECKLIST = (
    ("keys_handed", _("Keys handed over (both)")),
    ("documents_handed", _("Manuals, warranty booklet and certificate handed over")),
    ("features_explained", _("Features and controls explained")),
    ("app_explained", _("The car's app connected and explained")),
    ("maintenance_explained", _("First-maintenance schedule explained")),
    ("satisfaction_signed", _("Satisfaction confirmation signed by the customer")),
)

# The default pre-delivery inspection list (PDI), copied to a store on first use; each
# store edits its own.
DEFAULT_PDI_ITEMS = (
    _("Exterior: paint, panels, glass and lights without damage"),
    _("Interior: seats, trim and carpets clean and undamaged"),
    _("Fluids: oil, coolant, brake and washer fluid at level"),
    _("Electrics: battery, lights, displays and charging port work"),
    _("Accessories fitted as the contract lists them"),
    _("Cleaning: washed inside and out, protective films removed"),
    # xgettext:no-python-format
    _("Fuel at least a quarter tank, or charge at least 80 %"),
)
