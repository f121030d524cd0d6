"""The service desk: the store's daily capacity per appointment type, the appointments,
and the service record written when the car is checked in and completed."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import AppointmentStatus, AppointmentType

DEFAULT_DAILY_CAPACITY = 8


class ServiceCapacity(models.Model):
    """How many appointments of a type the workshop takes on one day (per store)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    appointment_type = models.CharField(_("type"), max_length=20,
                                        choices=AppointmentType.choices)
    daily_capacity = models.PositiveSmallIntegerField(
        _("appointments a day"), default=DEFAULT_DAILY_CAPACITY,
        validators=[MinValueValidator(0), MaxValueValidator(200)])

    class Meta:
        verbose_name = _("service capacity")
        verbose_name_plural = _("service capacities")
        constraints = [
            models.UniqueConstraint(fields=["store", "appointment_type"],
                                    name="service_capacity_one_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_appointment_type_display()} · {self.daily_capacity}"


class ServiceDay(models.Model):
    """The places taken on one store day for one type. Booking locks this row (or creates
    it under its unique constraint) and the check constraint keeps `booked` within the
    capacity in force when it was taken: two advisors booking the last place at once
    cannot both have it."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    appointment_type = models.CharField(_("type"), max_length=20,
                                        choices=AppointmentType.choices)
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("service day")
        verbose_name_plural = _("service days")
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "appointment_type"],
                                    name="service_day_one_per_type"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")),
                                   name="service_day_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.appointment_type} · {self.booked}/{self.capacity}"


class Appointment(models.Model):
    """A car booked into the workshop on a store day and slot."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="service_appointments",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey("dealership.StockVehicle", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="service_appointments",
                                verbose_name=_("vehicle"))
    appointment_type = models.CharField(_("type"), max_length=20,
                                        choices=AppointmentType.choices)
    day = models.DateField(_("day"))
    slot = models.TimeField(_("time"))
    status = models.CharField(_("status"), max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="service_appointments",
                                verbose_name=_("service advisor"))
    care_step = models.ForeignKey("aftersales.CareStep", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="appointments",
                                  verbose_name=_("booked from"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    mileage_in = models.PositiveIntegerField(_("mileage at check-in (km)"), null=True,
                                             blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    reminded_on = models.DateField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("service appointment")
        verbose_name_plural = _("service appointments")
        ordering = ["day", "slot", "id"]
        indexes = [
            models.Index(fields=["store", "day", "slot"], name="appointment_day_idx"),
            models.Index(fields=["store", "customer", "-day"], name="appointment_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="appointment_cancelled_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.slot:%H:%M} · {self.get_appointment_type_display()}"


class ServiceRecord(models.Model):
    """What was done to the car: written at completion of an appointment."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    appointment = models.OneToOneField(Appointment, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="record",
                                       verbose_name=_("appointment"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="service_records", verbose_name=_("customer"))
    vehicle = models.ForeignKey("dealership.StockVehicle", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="service_records",
                                verbose_name=_("vehicle"))
    appointment_type = models.CharField(_("type"), max_length=20,
                                        choices=AppointmentType.choices)
    serviced_on = models.DateField(_("serviced on"))
    mileage = models.PositiveIntegerField(_("mileage (km)"),
                                          validators=[MaxValueValidator(2_000_000)])
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="service_records",
                                verbose_name=_("service advisor"))
    next_due_on = models.DateField(_("next maintenance due"), null=True, blank=True)
    next_due_km = models.PositiveIntegerField(_("next maintenance at (km)"), null=True,
                                              blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-serviced_on", "-id"]
        indexes = [
            models.Index(fields=["store", "customer", "-serviced_on"],
                         name="service_record_cust_idx"),
            models.Index(fields=["store", "-serviced_on"], name="service_record_store_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.serviced_on} · {self.mileage} km"


class ServiceItem(models.Model):
    """One line of a service record: work or parts, with its amount (CNY)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="items",
                               verbose_name=_("service record"))
    description = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="service_item_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return self.description
