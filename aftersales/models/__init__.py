from aftersales.models.campaigns import CareCampaign
from aftersales.models.care import CarePlan, CareSettings, CareStep, CareTask
from aftersales.models.complaints import Complaint, ComplaintBreach, ComplaintEvent
from aftersales.models.loyalty import LoyaltyAccount, PointsEntry, Referral, ServicePackage
from aftersales.models.service import (
    Appointment,
    ServiceCapacity,
    ServiceDay,
    ServiceItem,
    ServiceRecord,
)
from aftersales.models.surveys import Survey, SurveyAnswer

__all__ = [
    "Appointment",
    "CareCampaign",
    "CarePlan",
    "CareSettings",
    "CareStep",
    "CareTask",
    "Complaint",
    "ComplaintBreach",
    "ComplaintEvent",
    "LoyaltyAccount",
    "PointsEntry",
    "Referral",
    "ServiceCapacity",
    "ServiceDay",
    "ServiceItem",
    "ServicePackage",
    "ServiceRecord",
    "Survey",
    "SurveyAnswer",
]
