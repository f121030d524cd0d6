import datetime as dt

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from dealership.enums import AuditAction, StockStatus
from dealership.models import (
    AuditEntry,
    Brand,
    Colour,
    Customer,
    DealerGroup,
    Series,
    StockVehicle,
    Store,
    Team,
    Trim,
    User,
)
from dealership.roles import user_sync_groups
from dealership.services.audit import audit_changes, audit_created, audit_log
from dealership.services.security import login_unlock
from dealership.services.users import user_sessions_end
from dealership.validators import ensure_within

admin.site.site_header = _("Dealership administration")
admin.site.site_title = _("Dealership")


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin go into the same audit trail as everything else."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if hasattr(obj, "audit_values"):
            if change:
                audit_changes(actor=request.user, instance=obj, reason="admin")
            else:
                audit_created(actor=request.user, instance=obj, reason="admin")

    def delete_model(self, request, obj):
        audit_log(actor=request.user, instance=obj, action=AuditAction.DELETE, reason="admin")
        super().delete_model(request, obj)


class CataloguePriceReadOnlyMixin:
    """Prices change on the catalogue screens, which keep the price history (and refuse a
    stale edit); here a price is typed once, when the row is added, and read-only after."""

    price_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.price_fields) if obj is not None else fields


@admin.register(DealerGroup)
class DealerGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Store)
class StoreAdmin(AuditedAdmin):
    list_display = ["code", "name", "group", "timezone", "opens_at", "closes_at", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "supervisor"]
    list_filter = ["store"]
    list_select_related = ["store", "supervisor"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "name", "role", "store", "team", "seniority", "is_active"]
    list_filter = ["role", "store", "seniority", "is_active"]
    list_select_related = ["store", "team"]
    search_fields = ["username", "name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Dealership profile"), {"fields": ("name", "role", "store", "dealer_group", "team",
                                      "seniority", "language", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Dealership profile"), {"fields": ("name", "role", "store", "team", "seniority")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_groups(obj)  # the role decides the group and so the permissions
        if change and not obj.is_active:
            # A switched-off login must not come back with an old cookie on reactivation.
            user_sessions_end(user=obj)


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ["name", "phone_masked", "store", "owner", "city", "created_at"]
    list_filter = ["store", "marketing_consent", "gender"]
    list_select_related = ["store", "owner"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("mobile phone"))
    def phone_masked(self, obj):
        return obj.phone_masked


class SeriesInline(admin.TabularInline):
    model = Series
    extra = 0


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en"]
    inlines = [SeriesInline]


class TrimInline(admin.TabularInline):
    model = Trim
    extra = 0


class ColourInline(admin.TabularInline):
    model = Colour
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "body_type"]
    list_filter = ["brand"]
    inlines = [TrimInline, ColourInline]


@admin.register(Trim)
class TrimAdmin(CataloguePriceReadOnlyMixin, AuditedAdmin):
    price_fields = ("msrp",)
    list_display = ["__str__", "powertrain", "msrp", "seats", "is_active"]
    list_filter = ["powertrain", "series__brand", "is_active"]
    list_select_related = ["series__brand"]


@admin.register(Colour)
class ColourAdmin(CataloguePriceReadOnlyMixin, AuditedAdmin):
    price_fields = ("surcharge",)
    list_display = ["name", "series", "hex_code", "surcharge"]
    list_select_related = ["series__brand"]


class StockVehicleAdminForm(forms.ModelForm):
    """A vehicle's arrival date: from 2000 (older stock is long sold) to a year ahead (the
    expected arrival of a car still in transit) in the store's days (issue 10). A VIN the
    store has already is refused on the VIN (the model's rule names store and VIN)."""

    class Meta:
        model = StockVehicle
        fields = "__all__"  # noqa: DJ007 - the admin's own field choice applies

    def clean(self):
        cleaned = super().clean()
        store, day = cleaned.get("store"), cleaned.get("arrival_date")
        if store is not None and day is not None:
            try:
                ensure_within(day, earliest=dt.date(2000, 1, 1),
                              latest=store.today() + dt.timedelta(days=366))
            except forms.ValidationError as error:
                self.add_error("arrival_date", error)
        vin = cleaned.get("vin")
        if store is not None and vin and StockVehicle.objects.filter(
                store=store, vin=vin).exclude(pk=self.instance.pk).exists():
            # Django's own message for the rule, on the field the user can correct.
            self.add_error("vin", self.instance.unique_error_message(StockVehicle,
                                                                     ["store", "vin"]))
        return cleaned


@admin.register(StockVehicle)
class StockVehicleAdmin(AuditedAdmin):
    form = StockVehicleAdminForm
    list_display = ["vin", "trim", "colour", "store", "status", "arrival_date", "list_price",
                    "location"]
    list_filter = ["store", "status", "trim__series__brand"]
    list_select_related = ["trim__series__brand", "colour", "store"]
    search_fields = ["vin"]

    def get_readonly_fields(self, request, obj=None):
        # A vehicle's status moves only through the delivery stage's services (receiving,
        # allocation, handover), each audited: the admin may enter a car, not move it.
        return ["status"] if obj is not None else []

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [(value, label) for value, label in StockStatus.choices
                                 if value in (StockStatus.IN_TRANSIT, StockStatus.IN_STOCK)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "content_type", "object_repr", "store"]
    list_filter = ["action", "content_type", "store"]
    list_select_related = ["actor", "content_type", "store"]
    search_fields = ["object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False


# Unlocking a sign-in (deleting axes' failed-attempt rows) is audited.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def delete_model(self, request, obj):
        login_unlock(actor=request.user, attempts=[obj])

    def delete_queryset(self, request, queryset):
        login_unlock(actor=request.user, attempts=queryset)
