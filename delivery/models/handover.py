"""Getting the car ready and handing it over: the store's pre-delivery inspection list,
each check made on a car for a contract, and the handover itself (appointment, ceremony
checklist, photo, plate registration, completion or a manager's override of the gate)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.enums import GateCondition


class PdiItem(models.Model):
    """One line of a store's PDI checklist. Retired lines stay (old checks point at them)
    but are no longer asked."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    label = models.CharField(_("item"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("PDI item")
        verbose_name_plural = _("PDI items")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["store", "active", "order"], name="pdi_item_store_idx")]

    def __str__(self) -> str:
        return self.label


class PdiCheck(models.Model):
    """One item checked on one car for one contract: appended, never edited. An item's
    latest check counts; a failed item blocks delivery until a later check passes it."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="pdi_checks", verbose_name=_("contract"))
    vehicle = models.ForeignKey("dealership.StockVehicle", on_delete=models.PROTECT,
                                related_name="pdi_checks", verbose_name=_("vehicle"))
    item = models.ForeignKey(PdiItem, on_delete=models.PROTECT, related_name="checks",
                             verbose_name=_("item"))
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("PDI check")
        verbose_name_plural = _("PDI checks")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["store", "contract", "vehicle", "item", "-checked_at"],
                                name="pdi_check_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(passed=True) | ~Q(note=""),
                                   name="pdi_failed_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {'✓' if self.passed else '✗'}"


def handover_photo_path(handover: Handover, filename: str) -> str:
    return f"handovers/{handover.store_id}/{handover.contract_id}/{filename}"


class Handover(models.Model):
    """The delivery of one contract's car: the appointment, the ceremony's checklist, the
    photo with the customer, the plate, and its completion."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="handover", verbose_name=_("contract"))
    # The appointment.
    scheduled_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=100, blank=True,
                             help_text=_("E.g. delivery bay 2, or the customer's address."))
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The ceremony (delivery.enums.HANDOVER_CHECKLIST).
    keys_handed = models.BooleanField(_("keys handed over"), default=False)
    documents_handed = models.BooleanField(_("documents handed over"), default=False)
    features_explained = models.BooleanField(_("features explained"), default=False)
    app_explained = models.BooleanField(_("app explained"), default=False)
    maintenance_explained = models.BooleanField(_("maintenance explained"), default=False)
    satisfaction_signed = models.BooleanField(_("satisfaction signed"), default=False)
    photo = models.ImageField(
        _("photo with the customer"), upload_to=handover_photo_path, blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])])
    # The plate (上牌).
    plate_number = models.CharField(_("plate number"), max_length=10, blank=True)
    plate_registered_on = models.DateField(_("plate registered on"), null=True, blank=True)
    # Completion; a manager may override one condition of the gate, with a reason.
    completed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("handed over by"))
    override_condition = models.CharField(_("condition overridden"), max_length=8,
                                          choices=GateCondition.choices, blank=True)
    override_reason = models.CharField(_("reason for the override"), max_length=300,
                                       blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("overridden by"))
    override_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["store", "scheduled_at"], name="handover_day_idx"),
                   models.Index(fields=["store", "completed_at"], name="handover_completed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_condition="")
                | (~Q(override_reason="") & Q(override_by__isnull=False)),
                name="handover_override_has_reason"),
            models.UniqueConstraint(fields=["store", "plate_number"],
                                    condition=~Q(plate_number=""),
                                    name="handover_plate_unique_per_store"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.scheduled_at or '—'}"
