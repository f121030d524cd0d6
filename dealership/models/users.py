from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.enums import CROSS_STORE_ROLES, Language, Role, Seniority
from dealership.models.audit import Audited


class StaffQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def active(self):
        return self.filter(is_active=True)

    def consultants(self):
        return self.filter(role=Role.CONSULTANT)


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class User(Audited, AbstractUser):
    """A member of staff. The role decides the home page, the navigation and the scope."""

    AUDIT_FIELDS = ("username", "name", "role", "store", "team", "seniority", "is_active",
                    "is_staff", "is_superuser")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True,
                            help_text=_("Full name as customers see it, e.g. 王芳."))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices,
                            default=Role.CONSULTANT)
    store = models.ForeignKey(
        "dealership.Store", null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff", verbose_name=_("store"),
    )
    dealer_group = models.ForeignKey(
        "dealership.DealerGroup", null=True, blank=True, on_delete=models.PROTECT,
        related_name="executives", verbose_name=_("dealer group"),
        help_text=_("Only for group executives: the group whose figures they read."),
    )
    team = models.ForeignKey(
        "dealership.Team", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members", verbose_name=_("team"),
    )
    seniority = models.CharField(_("seniority"), max_length=10, choices=Seniority.choices,
                                 blank=True, help_text=_("Consultants only; used by lead routing."))
    language = models.CharField(_("interface language"), max_length=10,
                                choices=Language.choices, default=Language.ZH_HANS)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    # When the user last opened "my day": what changed after it is shown as new there.
    my_day_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = StaffManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False) | Q(role__in=CROSS_STORE_ROLES),
                name="user_store_required_for_store_roles",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.CONSULTANT) | Q(seniority=""),
                name="user_seniority_only_for_consultants",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role not in CROSS_STORE_ROLES and self.store_id is None:
            errors["store"] = _("Staff of this role belong to a store.")
        if self.role == Role.CONSULTANT and not self.seniority:
            errors["seniority"] = _("Choose the consultant's seniority.")
        if self.role != Role.CONSULTANT and self.seniority:
            errors["seniority"] = _("Only consultants have a seniority.")
        if self.team_id and self.team.store_id != self.store_id:
            errors["team"] = _("The team belongs to another store.")
        if errors:
            raise ValidationError(errors)

    # Role predicates used across the apps (templates call them without arguments).
    @property
    def is_consultant(self) -> bool:
        return self.role == Role.CONSULTANT

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
