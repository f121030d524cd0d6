"""Choices of the showroom stage (DESIGN §2 "Showroom")."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

# Test drives are booked in fixed slots; the database refuses two bookings of one vehicle
# in the same slot.
SLOT = dt.timedelta(minutes=30)


class LeadEventKind(models.TextChoices):
    """What the showroom writes on a lead's timeline (registered in ShowroomConfig)."""

    VISIT = "visit", _("Showroom visit")
    INVITATION = "invitation", _("Invitation")
    TEST_DRIVE = "test_drive", _("Test drive")


class DutyState(models.TextChoices):
    AVAILABLE = "available", _("Waiting for a customer")
    WITH_CUSTOMER = "with_customer", _("With a customer")
    AWAY = "away", _("Away / at lunch")
    OFF = "off", _("Off")


class OwnerBusy(models.TextChoices):
    """What the receptionist chose when a returning customer's consultant is with someone."""

    WAIT = "wait", _("The customer waits for their consultant")
    NEXT = "next", _("Hand them to the next in the queue")


class Usage(models.TextChoices):
    FAMILY = "family", _("Family")
    BUSINESS = "business", _("Business")
    COMMUTE = "commute", _("Commute")


class Payment(models.TextChoices):
    CASH = "cash", _("Full payment")
    LOAN = "loan", _("Loan")
    UNDECIDED = "undecided", _("Not decided")


class CustomerType(models.TextChoices):
    FIRST_CAR = "first_car", _("First car")
    REPLACEMENT = "replacement", _("Replacing a car")
    ADDITIONAL = "additional", _("Additional car")
    COMPANY = "company", _("Company car")


class VisitOutcome(models.TextChoices):
    BROWSING = "browsing", _("Just looking")
    FOLLOW_UP = "follow_up", _("Interested, follow up")
    TEST_DRIVE = "test_drive", _("Test drive booked or done")
    QUOTE = "quote", _("Asked for a quote")
    ORDER = "order", _("Ready to order")
    LOST = "lost", _("Not interested")


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Expected")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


class TestDriveStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    IN_PROGRESS = "in_progress", _("On the road")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Bookings that hold their slot.
HOLDING_TEST_DRIVE_STATUSES = (TestDriveStatus.BOOKED, TestDriveStatus.IN_PROGRESS,
                               TestDriveStatus.DONE)


class ObjectionType(models.TextChoices):
    SALESPERSON = "salesperson", _("About the salesperson")
    PRODUCT = "product", _("About the product")
    PRICE = "price", _("About the price")
    SERVICE = "service", _("About the service")
