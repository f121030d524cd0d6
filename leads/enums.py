"""Choices of the leads stage (DESIGN §2 "Leads", §4 API)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    WEBSITE = "website", _("Website")
    VERTICAL_MEDIA = "vertical_media", _("Vertical media")
    SHORT_VIDEO = "short_video", _("Short video / live stream")
    REFERRAL = "referral", _("Owner referral")
    PARTNER = "partner", _("Partner shop")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


# Leads from these channels must get their first touch within the store's SLA.
ONLINE_CHANNELS = (Channel.WEBSITE, Channel.VERTICAL_MEDIA, Channel.SHORT_VIDEO)


class Grade(models.TextChoices):
    A = "A", _("A · buys within 3 days")
    B = "B", _("B · buys within a month")
    C = "C", _("C · buys later")


class PurchaseWindow(models.TextChoices):
    DAYS_3 = "3d", _("Within 3 days")
    MONTH_1 = "1m", _("Within a month")
    LATER = "3m+", _("Three months or more")


GRADE_FOR_WINDOW = {
    PurchaseWindow.DAYS_3: Grade.A,
    PurchaseWindow.MONTH_1: Grade.B,
    PurchaseWindow.LATER: Grade.C,
}


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    INVITED = "invited", _("Invited")
    VISITED = "visited", _("Visited")
    TEST_DRIVEN = "test_driven", _("Test driven")
    NEGOTIATING = "negotiating", _("Negotiating")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    DORMANT = "dormant", _("Dormant")


# Open leads are worked; closed ones are done with.
CLOSED_STATUSES = (LeadStatus.WON, LeadStatus.LOST)
OPEN_STATUSES = tuple(s for s in LeadStatus if s not in CLOSED_STATUSES)
# Open and actively worked (a dormant lead has fallen asleep).
ACTIVE_STATUSES = tuple(s for s in OPEN_STATUSES if s != LeadStatus.DORMANT)
# The funnel order: a lead only moves forward along it.
FUNNEL = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INVITED, LeadStatus.VISITED,
          LeadStatus.TEST_DRIVEN, LeadStatus.NEGOTIATING)
# Worked leads that a first quote moves on to "negotiating". A dormant lead is woken by a
# follow-up (lead_log_touch), not by paperwork; a closed one stays closed.
BEFORE_NEGOTIATION_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INVITED,
                               LeadStatus.VISITED, LeadStatus.TEST_DRIVEN)


class TouchKind(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")


class TouchOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, talked")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Asked to call back")
    APPOINTMENT = "appointment", _("Agreed to visit")
    NOT_INTERESTED = "not_interested", _("Not interested now")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class LostReason(models.TextChoices):
    BOUGHT_COMPETITOR = "bought_competitor", _("Bought a competitor's car")
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought the same brand elsewhere")
    PRICE = "price", _("Price too high")
    BUDGET = "budget", _("No budget / loan refused")
    POSTPONED = "postponed", _("Purchase postponed indefinitely")
    UNREACHABLE = "unreachable", _("Cannot be reached")
    NO_INTENTION = "no_intention", _("Never intended to buy")
    OTHER = "other", _("Other")


class LostRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Sent back")


class EventKind(models.TextChoices):
    """What the leads stage writes on a lead's timeline; later stages register their own
    kinds (dealership.timeline)."""

    CREATED = "created", _("Lead created")
    ENQUIRY = "enquiry", _("New enquiry")
    TOUCH = "touch", _("Follow-up")
    STATUS = "status", _("Status changed")
    GRADE = "grade", _("Grade changed")
    ASSIGNED = "assigned", _("Assigned")
    SLA_REMINDER = "sla_reminder", _("Owner reminded (first contact)")
    SLA_ALERT = "sla_alert", _("Supervisor alerted (first contact)")
    SLA_REASSIGNED = "sla_reassigned", _("Reassigned (first contact missed)")
    LOST_REQUESTED = "lost_requested", _("Lost requested")
    LOST_APPROVED = "lost_approved", _("Lost approved")
    LOST_RETURNED = "lost_returned", _("Lost request sent back")
    DORMANT = "dormant", _("Fell dormant")
    POOLED = "pooled", _("Returned to the pool")
    CLAIMED = "claimed", _("Claimed from the pool")
    MESSAGE = "message", _("Message queued")
    OPT_OUT = "opt_out", _("Customer opted out")
    OVERDUE = "overdue", _("Follow-up overdue")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (no consent or throttled)")


class TaskKind(models.TextChoices):
    REACTIVATE = "reactivate", _("Reactivate a dormant lead")
    FOLLOW_UP = "follow_up", _("Follow up")


class ImportStatus(models.TextChoices):
    """A CSV upload: checked and stored (queued), read by the worker (running), then done
    or failed (a file the worker could not read at all)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Could not be imported")


UNFINISHED_IMPORT_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)
