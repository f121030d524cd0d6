from leads.models.campaigns import Campaign
from leads.models.imports import ImportBatch, ImportStatus
from leads.models.intake import ApiKey, hash_api_key
from leads.models.leads import (
    ConsultantRouting,
    Lead,
    LeadEvent,
    LeadIntake,
    LostRequest,
    Notification,
    Task,
    Touch,
)
from leads.models.messaging import ConsentChange, OutboundMessage
from leads.models.policy import LeadPolicy
from leads.models.routing import RoutingAvailability

__all__ = [
    "ApiKey", "Campaign", "ConsentChange", "ConsultantRouting", "ImportBatch", "ImportStatus",
    "Lead",
    "LeadEvent", "LeadIntake", "LeadPolicy", "LostRequest", "Notification", "OutboundMessage",
    "RoutingAvailability", "Task", "Touch", "hash_api_key",
]
