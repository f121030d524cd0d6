from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from showroom.enums import HOLDING_TEST_DRIVE_STATUSES, InvitationStatus, TestDriveStatus


class Invitation(models.Model):
    """A customer booked to come to the showroom (邀约)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="invitations",
                             verbose_name=_("lead"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="invitations", verbose_name=_("consultant"))
    expected_at = models.DateTimeField(_("expected at"))
    purpose = models.CharField(_("reason for coming"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=InvitationStatus.choices,
                              default=InvitationStatus.SCHEDULED)
    visit = models.OneToOneField("showroom.Visit", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="invitation")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["expected_at"]
        indexes = [models.Index(fields=["store", "status", "expected_at"],
                                name="invitation_due_idx"),
                   # The invitations made in a period (reports: the consultants' activity).
                   models.Index(fields=["store", "created_at"], name="invitation_made_idx")]
        constraints = [
            models.UniqueConstraint(fields=["store", "lead"], condition=Q(status="scheduled"),
                                    name="invitation_one_scheduled_per_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.lead.customer} · {timezone.localtime(self.expected_at):%m-%d %H:%M}"


class TestDrive(models.Model):
    """A demo vehicle booked for one slot. The database refuses a second booking."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    vehicle = models.ForeignKey("dealership.StockVehicle", on_delete=models.PROTECT,
                                related_name="test_drives", verbose_name=_("demo vehicle"))
    slot_start = models.DateTimeField(_("slot"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="test_drives", verbose_name=_("customer"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="test_drives")
    visit = models.ForeignKey("showroom.Visit", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="test_drives")
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="test_drives", verbose_name=_("consultant"))
    status = models.CharField(_("status"), max_length=12, choices=TestDriveStatus.choices,
                              default=TestDriveStatus.BOOKED)
    licence_number = models.CharField(_("driving licence number"), max_length=20)
    licence_expires_on = models.DateField(_("licence valid until"))
    agreement_version = models.CharField(_("agreement version"), max_length=20)
    agreement_accepted_at = models.DateTimeField(_("agreement accepted"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    odometer_start = models.PositiveIntegerField(_("odometer at start (km)"), null=True,
                                                 blank=True)
    odometer_end = models.PositiveIntegerField(_("odometer at end (km)"), null=True,
                                               blank=True)
    rating_overall = models.PositiveSmallIntegerField(
        _("overall"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_handling = models.PositiveSmallIntegerField(
        _("handling"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comfort = models.PositiveSmallIntegerField(
        _("comfort"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    feedback = models.TextField(_("feedback"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("test drive")
        verbose_name_plural = _("test drives")
        ordering = ["slot_start"]
        constraints = [
            # The guarantee: one vehicle, one holding booking per slot, whatever races.
            models.UniqueConstraint(
                fields=["store", "vehicle", "slot_start"],
                condition=Q(status__in=HOLDING_TEST_DRIVE_STATUSES),
                name="test_drive_one_booking_per_vehicle_slot"),
            models.CheckConstraint(
                condition=Q(odometer_end__isnull=True) | Q(odometer_start__isnull=True)
                | Q(odometer_end__gte=F("odometer_start")),
                name="test_drive_odometer_goes_up"),
        ]
        indexes = [models.Index(fields=["store", "slot_start"], name="test_drive_day_idx")]

    def __str__(self) -> str:
        return f"{self.vehicle.vin} · {timezone.localtime(self.slot_start):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("showroom:test_drive_detail", kwargs={"pk": self.pk})
