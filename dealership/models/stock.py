from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import ON_HAND_STOCK_STATUSES, SLOW_STOCK_DAYS, StockStatus
from dealership.models.audit import Audited
from dealership.validators import validate_vin


class StockQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def on_hand(self):
        return self.filter(status__in=ON_HAND_STOCK_STATUSES)

    def demo(self):
        return self.filter(status=StockStatus.DEMO)


class StockVehicle(Audited):
    AUDIT_FIELDS = ("vin", "store", "trim", "colour", "status", "arrival_date", "cost",
                    "list_price", "location")

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="stock", verbose_name=_("store"))
    trim = models.ForeignKey("dealership.Trim", on_delete=models.PROTECT,
                             related_name="stock", verbose_name=_("trim"))
    colour = models.ForeignKey("dealership.Colour", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="stock",
                               verbose_name=_("colour"))
    vin = models.CharField(_("VIN"), max_length=17, validators=[validate_vin])
    status = models.CharField(_("status"), max_length=20, choices=StockStatus.choices,
                              default=StockStatus.IN_TRANSIT)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    cost = models.DecimalField(_("cost (CNY)"), max_digits=12, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0"))])
    list_price = models.DecimalField(_("list price (CNY)"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0.01"))])
    location = models.CharField(_("location"), max_length=100, blank=True,
                                help_text=_("Where the vehicle stands, e.g. showroom, yard B-12."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StockQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock vehicle")
        verbose_name_plural = _("stock vehicles")
        ordering = ["arrival_date", "vin"]
        permissions = [("view_stock_cost", _("Can see the cost of stock vehicles"))]
        constraints = [
            # A VIN once per store: the database can hold a unique rule only within a
            # store once the tables are distributed by store (docs/scaling.md §4).
            models.UniqueConstraint(fields=["store", "vin"], name="stock_vin_unique_per_store"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="stock_cost_not_negative"),
            models.CheckConstraint(condition=Q(list_price__gt=0), name="stock_price_positive"),
            models.CheckConstraint(
                condition=Q(status=StockStatus.IN_TRANSIT) | Q(arrival_date__isnull=False),
                name="stock_arrived_has_date",
            ),
        ]
        indexes = [models.Index(fields=["store", "status"], name="stock_store_status_idx"),
                   # Receiving a car asks whether another store of the group holds its VIN:
                   # the one lookup across stores (a fan-out once distributed by store).
                   models.Index(fields=["vin"], name="stock_vin_idx"),
                   # The evening's turnover and the board's aging: arrivals as a range.
                   models.Index(fields=["store", "arrival_date"], name="stock_arrival_idx")]

    def __str__(self) -> str:
        return f"{self.trim} · {self.vin}"

    def clean(self) -> None:
        if self.colour_id and self.trim_id and self.colour.series_id != self.trim.series_id:
            raise ValidationError({"colour": _("This colour is not offered for this series.")})
        if self.status != StockStatus.IN_TRANSIT and self.arrival_date is None:
            raise ValidationError({"arrival_date": _("A vehicle that has arrived needs its "
                                                     "arrival date.")})

    def age_days(self, today: dt.date | None = None) -> int | None:
        """Whole days on hand, counted in the store's day (today by the store's clock)."""
        if self.arrival_date is None or self.status not in ON_HAND_STOCK_STATUSES:
            return None
        today = today or self.store.today()
        return (today - self.arrival_date).days

    def is_slow(self, today: dt.date | None = None) -> bool:
        age = self.age_days(today)
        return age is not None and age > SLOW_STOCK_DAYS
