"""The public API, included at /api/v1/ (DESIGN §4)."""

from django.urls import path

from leads import api, openapi, webhooks

app_name = "api"
urlpatterns = [
    path("leads", api.lead_intake, name="leads"),
    path("openapi.json", openapi.openapi_json, name="openapi"),
    path("sms/inbound", webhooks.sms_inbound, name="sms_inbound"),
]
