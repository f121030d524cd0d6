"""Choices of the after-sales stage: after the keys are handed over (DESIGN §2
"After-sales"; seeds 002 客户管理 / 投诉处理, 003 7天 / 30天, 004 客户档案 / 回访)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# --- Care plan (回访) -----------------------------------------------------------------------
class CareStepKind(models.TextChoices):
    THANK_YOU_CALL = "thank_you_call", _("Thank-you call")
    USAGE_TIPS = "usage_tips", _("Usage tips message")
    FIRST_MAINTENANCE = "first_maintenance", _("First-maintenance reminder")


class CareChannel(models.TextChoices):
    CALL = "call", pgettext_lazy("care step", "Call")
    MESSAGE = "message", pgettext_lazy("care step", "Message")


class CareStepStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", pgettext_lazy("care step", "Due")
    DONE = "done", pgettext_lazy("care step", "Done")
    SKIPPED = "skipped", _("Skipped")


OPEN_CARE_STEP_STATUSES = (CareStepStatus.SCHEDULED, CareStepStatus.DUE)


class CareTaskKind(models.TextChoices):
    """Follow-ups customer care (or the consultant) must make outside the plan."""

    LOW_SCORE = "low_score", _("Low survey score")
    COMPLAINT = "complaint", _("Complaint follow-up")
    OTHER = "other", _("Other follow-up")


class CareTaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care task", "Open")
    DONE = "done", pgettext_lazy("care task", "Done")


# --- Service desk ---------------------------------------------------------------------------
class AppointmentType(models.TextChoices):
    FIRST_MAINTENANCE = "first_maintenance", _("First maintenance")
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    WARRANTY = "warranty", _("Warranty")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("appointment", "Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", pgettext_lazy("appointment", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")
    NO_SHOW = "no_show", _("No-show")


# An appointment in these states holds a place of the day's capacity.
CAPACITY_HOLDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN,
                             AppointmentStatus.COMPLETED)


# --- Surveys --------------------------------------------------------------------------------
class SurveyKind(models.TextChoices):
    DELIVERY = "delivery", _("After delivery")
    SERVICE = "service", _("After service")


class SurveyQuestion(models.TextChoices):
    """The questions asked, each scored 1–10. Which ones a survey asks depends on its kind
    (aftersales.surveys.QUESTIONS)."""

    OVERALL = "overall", _("How satisfied are you overall?")
    STAFF = "staff", _("How well were you looked after by the person who served you?")
    EXPLANATION = "explanation", _("How clearly was everything explained to you?")
    TIMELINESS = "timeliness", _("Was everything ready on time?")
    RECOMMEND = "recommend", _("How likely are you to recommend us to a friend?")


# A score at or below this opens a follow-up task for customer care at once.
LOW_SCORE_MAX = 6


# --- Complaints (投诉处理) -----------------------------------------------------------------
class ComplaintCategory(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    AFTER_SALES = "after_sales", _("After-sales service")
    SALES_SERVICE = "sales_service", _("Sales service")
    PRICE = "price", pgettext_lazy("complaint category", "Price")
    OTHER = "other", pgettext_lazy("complaint category", "Other")


class ComplaintSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "Low")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    HIGH = "high", pgettext_lazy("severity", "High")
    CRITICAL = "critical", pgettext_lazy("severity", "Critical")


class ComplaintDepartment(models.TextChoices):
    SALES = "sales", pgettext_lazy("department", "Sales")
    SERVICE = "service", pgettext_lazy("department", "Service")
    FINANCE = "finance", pgettext_lazy("department", "Finance")
    CUSTOMER_CARE = "customer_care", pgettext_lazy("department", "Customer care")
    MANAGEMENT = "management", pgettext_lazy("department", "Management")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("complaint channel", "Phone")
    WALK_IN = "walk_in", pgettext_lazy("complaint channel", "In person")
    WECHAT = "wechat", pgettext_lazy("complaint channel", "WeChat")
    SMS = "sms", pgettext_lazy("complaint channel", "SMS")
    EMAIL = "email", pgettext_lazy("complaint channel", "Email")
    ONLINE = "online", _("Online review / social media")
    MANUFACTURER = "manufacturer", _("Passed on by the manufacturer")
    OTHER = "other", pgettext_lazy("complaint channel", "Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint", "Open")
    RESPONDED = "responded", _("Responded")
    PROPOSED = "proposed", _("Proposal made")
    RESOLVED = "resolved", pgettext_lazy("complaint", "Resolved")
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")


OPEN_COMPLAINT_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.RESPONDED,
                           ComplaintStatus.PROPOSED, ComplaintStatus.RESOLVED)


class ComplaintClock(models.TextChoices):
    """The three deadlines of seed 002, counted from intake (or from a reopening)."""

    RESPONSE = "response", _("First response (2 h)")
    PROPOSAL = "proposal", _("Initial proposal (24 h)")
    RESOLUTION = "resolution", _("Final resolution (48 h)")


class EscalationLevel(models.IntegerChoices):
    SUPERVISOR = 1, pgettext_lazy("escalation", "Supervisor")
    MANAGER = 2, pgettext_lazy("escalation", "Manager")


class ComplaintEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("complaint event", "Received")
    RESPONDED = "responded", _("First response given")
    PROPOSED = "proposed", _("Proposal made")
    RESOLVED = "resolved", pgettext_lazy("complaint event", "Resolved")
    CLOSED = "closed", pgettext_lazy("complaint event", "Closed")
    REOPENED = "reopened", _("Reopened by the customer")
    ESCALATED = "escalated", _("Escalated")
    ASSIGNED = "assigned", pgettext_lazy("complaint event", "Assigned")
    NOTE = "note", pgettext_lazy("complaint event", "Note")


# --- Referrals and loyalty points -----------------------------------------------------------
class PointsEntryKind(models.TextChoices):
    REFERRAL_CREDIT = "referral_credit", _("Referral credited")
    REFERRAL_REVERSAL = "referral_reversal", _("Referral reversed")
    REDEMPTION = "redemption", _("Redeemed")
    ADJUSTMENT = "adjustment", _("Adjustment")


# --- Segments and care campaigns -------------------------------------------------------------
class CampaignKind(models.TextChoices):
    HOLIDAY_GREETING = "holiday_greeting", _("Holiday greetings")
    FREE_INSPECTION = "free_inspection", _("Free-inspection week")
    OWNERS_EVENT = "owners_event", _("Owners' event")
    OTHER = "other", pgettext_lazy("campaign kind", "Other")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SENT = "sent", pgettext_lazy("campaign", "Sent")


class ValueSegment(models.TextChoices):
    HIGH = "high", _("High value")
    MEDIUM = "medium", _("Medium value")
    LOW = "low", _("Low value")


class NeedSegment(models.TextChoices):
    FAMILY = "family", pgettext_lazy("need", "Family")
    BUSINESS = "business", pgettext_lazy("need", "Business")
    PREMIUM = "premium", pgettext_lazy("need", "Premium")


class LoyaltySegment(models.TextChoices):
    ADVOCATE = "advocate", _("Advocate (referred or bought again)")
    SATISFIED = "satisfied", _("Satisfied")
    AT_RISK = "at_risk", _("At risk (low score or complaint)")


# --- Timeline of the owner's file -------------------------------------------------------------
class LeadEventKind(models.TextChoices):
    """After-sales' lead-timeline and notification kinds (dealership.timeline)."""

    CARE_STEP = "care_step", _("Care call or message")
    SERVICE = "service", pgettext_lazy("timeline", "Service")
    SURVEY = "survey", pgettext_lazy("timeline", "Survey")
    COMPLAINT = "complaint", pgettext_lazy("timeline", "Complaint")
    COMPLAINT_ESCALATED = "complaint_escalated", _("Complaint escalated")
    CARE_TASK = "care_task", _("Care follow-up")
    REFERRAL = "referral", pgettext_lazy("timeline", "Referral")
