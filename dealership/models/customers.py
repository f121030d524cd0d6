from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.enums import ConsentSource, Gender
from dealership.masking import mask_id_number, mask_name, mask_phone
from dealership.models.audit import Audited
from dealership.validators import validate_e164, validate_id_number


class CustomerQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def owned_by(self, user):
        return self.filter(owner=user)

    def with_marketing_consent(self):
        return self.filter(marketing_consent=True)


class Customer(Audited):
    """One person, one normalised phone number per store (防撞单)."""

    AUDIT_FIELDS = ("name", "phone", "gender", "city", "address", "id_number", "wechat_id",
                    "marketing_consent", "consent_source", "owner")
    AUDIT_MASKS = {"phone": mask_phone, "id_number": mask_id_number}

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="customers", verbose_name=_("store"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, validators=[validate_e164])
    # The search's "last four digits": a stored copy the database keeps in step with
    # `phone`, so a tail is an equality on an index, not `LIKE '%5678'` over every row.
    phone_last4 = models.GeneratedField(expression=Right("phone", 4),
                                        output_field=models.CharField(max_length=4),
                                        db_persist=True, verbose_name=_("last four digits"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True,
                                 validators=[validate_id_number],
                                 help_text=_("Resident identity card number (18 characters)."))
    wechat_id = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    marketing_consent = models.BooleanField(_("agrees to marketing messages"), default=False)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_source = models.CharField(_("consent source"), max_length=20,
                                      choices=ConsentSource.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_customers", verbose_name=_("consultant"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the customer's personal data was replaced (erasure or retention, PIPL
    # Art. 47): the row stays for the contracts and accounting records that point to it.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True,
                                         editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_customer_pii", _("Can see phone and ID numbers of visible customers in full")),
            ("export_customer_data", _("Can export everything held about a customer")),
            ("erase_customer", _("Can erase (anonymise) a customer")),
        ]
        constraints = [
            # The database, not a form, guarantees one customer per phone and store.
            models.UniqueConstraint(fields=["store", "phone"],
                                    name="customer_phone_unique_per_store"),
            models.UniqueConstraint(fields=["store", "id_number"],
                                    condition=~Q(id_number=""),
                                    name="customer_id_number_unique_per_store"),
            models.CheckConstraint(
                condition=Q(marketing_consent=False) | Q(consent_at__isnull=False),
                name="customer_consent_has_timestamp",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "owner", "-created_at"], name="customer_owner_idx"),
            models.Index(fields=["store", "name"], name="customer_name_idx"),
            models.Index(fields=["store", "phone_last4"], name="customer_phone_last4_idx"),
            # The customer list's order: a page is read off the store's newest entries.
            # Also the store's customers by when they came (the retention job's cutoff).
            models.Index(fields=["store", "-created_at", "-id"], name="customer_list_idx"),
            # On PostgreSQL the name search also has a trigram index on UPPER(name), made by
            # migration 0007 (pg_trgm; SQLite has no such index and scans).
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", kwargs={"pk": self.pk})

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)
