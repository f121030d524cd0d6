"""A stock vehicle (VIN) allocated to a signed contract: one car, one open contract, and
one car per contract, both enforced by the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Allocation(models.Model):
    """Open while `released_at` is empty. Swapping a car is a release and an allocation;
    released rows stay as the history."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="allocations", verbose_name=_("contract"))
    vehicle = models.ForeignKey("dealership.StockVehicle", on_delete=models.PROTECT,
                                related_name="allocations", verbose_name=_("vehicle"))
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("allocated by"))
    allocated_at = models.DateTimeField(_("allocated at"), default=timezone.now)
    # Filled when the car's trim or colour is not the contract's: the manager says why.
    override_reason = models.CharField(_("reason for a different car"), max_length=300,
                                       blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("released by"))
    release_reason = models.CharField(_("reason for releasing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-allocated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "vehicle"],
                                    condition=Q(released_at__isnull=True),
                                    name="allocation_one_open_per_vehicle"),
            models.UniqueConstraint(fields=["store", "contract"],
                                    condition=Q(released_at__isnull=True),
                                    name="allocation_one_open_per_contract"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_by__isnull=False),
                name="allocation_released_has_who"),
        ]
        indexes = [models.Index(fields=["store", "released_at"], name="allocation_open_idx")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} → {self.contract_id}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None
