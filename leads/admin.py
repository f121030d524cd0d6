"""The Django admin of the leads stage.

State changes (status, owner, grade) belong to the lead services, which write the
timeline; the admin shows them read-only. Logs (timeline, intake, imports, messages,
consent changes) are never edited here. An API key created here is shown once.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dealership.admin import AuditedAdmin
from dealership.validators import ensure_within
from leads.api import new_api_key
from leads.models import (
    ApiKey,
    Campaign,
    ConsentChange,
    ConsultantRouting,
    ImportBatch,
    Lead,
    LeadEvent,
    LeadIntake,
    LeadPolicy,
    LostRequest,
    Notification,
    OutboundMessage,
    RoutingAvailability,
    Task,
    Touch,
)
from leads.services.board import campaign_day_range
from leads.services.work import FOLLOW_UP_HORIZON


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: visible to administrators, never added to or changed by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CampaignAdminForm(forms.ModelForm):
    """The admin writes without the campaign services: the same range of days (issue 10)."""

    class Meta:
        model = Campaign
        fields = "__all__"  # noqa: DJ007 - the admin's own field choice applies

    def clean(self):
        cleaned = super().clean()
        store = cleaned.get("store")
        if store is not None:
            earliest, latest = campaign_day_range(store)
            for name in ("starts_on", "ends_on"):
                if cleaned.get(name) is not None:
                    try:
                        ensure_within(cleaned[name], earliest=earliest, latest=latest)
                    except forms.ValidationError as error:
                        self.add_error(name, error)
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = ["name", "store", "channel", "starts_on", "ends_on", "budget"]
    list_filter = ["store", "channel"]
    list_select_related = ["store"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"


class TouchInline(admin.TabularInline):
    model = Touch
    extra = 0
    fields = ["created_at", "kind", "outcome", "by", "next_follow_up_on", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class LeadAdminForm(forms.ModelForm):
    """A follow-up date changed here keeps the range of lead_log_touch: today (the store's)
    to a year ahead. An unchanged past date (an overdue lead) stays as it is."""

    class Meta:
        model = Lead
        fields = "__all__"  # noqa: DJ007 - the admin's own field choice applies

    def clean_next_follow_up_on(self):
        value = self.cleaned_data.get("next_follow_up_on")
        if value is not None and "next_follow_up_on" in self.changed_data:
            today = self.instance.store.today()
            ensure_within(value, earliest=today, latest=today + FOLLOW_UP_HORIZON)
        return value


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadAdminForm
    list_display = ["id", "customer", "store", "owner", "channel", "grade", "status",
                    "created_at", "follow_up_due_at"]
    list_filter = ["store", "status", "grade", "channel", "campaign"]
    list_select_related = ["customer", "store", "owner"]
    search_fields = ["customer__name", "customer__phone", "=id"]
    raw_id_fields = ["campaign"]
    date_hierarchy = "created_at"
    readonly_fields = ["store", "customer", "owner", "status", "grade", "grade_overridden",
                       "created_at", "assigned_at", "first_touch_at", "last_touch_at",
                       "follow_up_due_at", "dormant_at", "pooled_at", "closed_at",
                       "lost_reason"]
    inlines = [TouchInline]

    def has_add_permission(self, request) -> bool:
        return False  # leads come in through lead_capture (form, API, import)


@admin.register(LeadEvent)
class LeadEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "lead", "kind", "actor"]
    list_filter = ["kind"]
    list_select_related = ["lead", "lead__customer", "actor"]


@admin.register(LeadIntake)
class LeadIntakeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "store", "channel", "external_id", "lead", "duplicate"]
    list_filter = ["store", "channel", "duplicate"]
    list_select_related = ["store", "lead", "lead__customer"]
    search_fields = ["external_id"]


@admin.register(Touch)
class TouchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "lead", "kind", "outcome", "by", "next_follow_up_on"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["lead", "lead__customer", "by"]


@admin.register(LostRequest)
class LostRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "lead", "reason", "status", "requested_by", "decided_by",
                    "decided_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["lead", "lead__customer", "requested_by", "decided_by"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "kind", "lead", "assignee", "done_at"]
    list_filter = ["kind", "store"]
    list_select_related = ["lead", "lead__customer", "assignee"]


@admin.register(ConsultantRouting)
class ConsultantRoutingAdmin(admin.ModelAdmin):
    list_display = ["user", "store", "on_duty", "last_assigned_at"]
    list_filter = ["store", "on_duty"]
    list_select_related = ["user", "store"]
    fields = ["user", "store", "on_duty", "last_assigned_at"]
    readonly_fields = ["user", "store", "last_assigned_at"]

    def has_add_permission(self, request) -> bool:
        return False  # routing rows are created by lead_route


@admin.register(RoutingAvailability)
class RoutingAvailabilityAdmin(ReadOnlyAdmin):
    """Written by the showroom's roster; the desk changes it, not the admin."""

    list_display = ["day", "store", "user", "available"]
    list_filter = ["store", "available"]
    list_select_related = ["store", "user"]
    date_hierarchy = "day"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "lead", "read_at"]
    list_filter = ["kind", "store"]
    list_select_related = ["user", "lead", "lead__customer"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "channel", "purpose", "status", "sent_at",
                    "attempts"]
    list_filter = ["status", "channel", "purpose", "store"]
    list_select_related = ["customer"]
    search_fields = ["dedupe_key", "provider_id"]


@admin.register(ConsentChange)
class ConsentChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "consent", "source", "actor"]
    list_filter = ["consent", "source"]
    list_select_related = ["customer", "actor"]


@admin.register(LeadPolicy)
class LeadPolicyAdmin(AuditedAdmin):
    list_display = ["store", "cadence_a_days", "cadence_b_days", "cadence_c_per_month",
                    "first_contact_minutes", "dormant_after_days", "pool_after_days"]
    list_select_related = ["store"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "store", "filename", "uploaded_by", "status", "imported",
                    "duplicates", "errors"]
    list_filter = ["store", "status"]
    list_select_related = ["store", "uploaded_by"]
    search_fields = ["filename"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """A key is generated on save and shown once in a message; only its hash is kept."""

    list_display = ["prefix", "store", "channel", "name", "rate_limit_per_minute",
                    "created_at", "last_used_at", "revoked_at"]
    list_filter = ["store", "channel", "revoked_at"]
    list_select_related = ["store"]
    search_fields = ["prefix", "name"]
    fields = ["store", "channel", "name", "rate_limit_per_minute", "prefix", "key_hash",
              "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_by", "created_at", "last_used_at",
                       "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a key's store and channel never change; issue a new key
            return [*self.readonly_fields, "store", "channel"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            key, obj.prefix, obj.key_hash = new_api_key()
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            self.message_user(
                request, gettext("The new key, shown only now; copy it: %(key)s") % {"key": key},
                messages.WARNING)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, gettext("%(count)s keys revoked.") % {"count": count},
                          messages.SUCCESS)
