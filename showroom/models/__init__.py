from showroom.models.bookings import Invitation, TestDrive
from showroom.models.inspection import InspectionCheck, InspectionItem
from showroom.models.visits import DutyShift, Objection, TalkTrack, Visit

__all__ = [
    "DutyShift", "InspectionCheck", "InspectionItem", "Invitation", "Objection", "TalkTrack",
    "TestDrive", "Visit",
]
