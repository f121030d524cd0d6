from django.contrib import admin

from contracts.models import (
    Accessory,
    ApprovalRequest,
    Contract,
    ContractDocument,
    DiscountPolicy,
    Quote,
    ValuePackage,
)
from dealership.admin import AuditedAdmin, CataloguePriceReadOnlyMixin


@admin.register(DiscountPolicy)
class DiscountPolicyAdmin(AuditedAdmin):
    list_display = ("store", "consultant_limit", "supervisor_limit", "floor_pct",
                    "quote_valid_days", "updated_at")


@admin.register(Accessory)
class AccessoryAdmin(CataloguePriceReadOnlyMixin, admin.ModelAdmin):
    price_fields = ("price",)
    list_display = ("name", "code", "store", "price", "is_active")
    list_filter = ("store", "is_active")
    search_fields = ("name", "code")


@admin.register(ValuePackage)
class ValuePackageAdmin(CataloguePriceReadOnlyMixin, admin.ModelAdmin):
    price_fields = ("price",)
    list_display = ("name", "kind", "store", "price", "is_active")
    list_filter = ("store", "kind", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Quotes and contracts change only through their services (audited, locked)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "store", "customer", "consultant", "status", "updated_at")
    list_filter = ("store", "status")
    list_select_related = ("store", "customer", "consultant")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("quote", "tier", "status", "discount", "requested_at", "decided_by")
    list_filter = ("store", "tier", "status")
    list_select_related = ("quote", "decided_by")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "store", "buyer_name", "status", "total_price", "signed_at")
    list_filter = ("store", "status")
    search_fields = ("number",)
    list_select_related = ("store",)


@admin.register(ContractDocument)
class ContractDocumentAdmin(ReadOnlyAdmin):
    list_display = ("contract", "status", "size", "render_ms", "rendered_at")
    list_select_related = ("contract",)
