"""Choices of the reports app (issue 13)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetMetric(models.TextChoices):
    """What a monthly target counts (per consultant and for the store)."""

    DEALS = "deals", _("Deals")
    WALK_INS = "walk_ins", _("Walk-ins")
    TEST_DRIVES = "test_drives", _("Test drives")
    INVITATIONS = "invitations", _("Invitations")
    NEW_LEADS = "new_leads", _("New leads")
    VALUE_ADDED = "value_added", _("Value-added revenue (CNY)")


class MeetingKind(models.TextChoices):
    MORNING = "morning", _("Morning meeting")
    EVENING = "evening", _("Evening meeting")


class NoteTopic(models.TextChoices):
    """What a manager's meeting note is about (seed 003: 动态信息补给, 问题解决)."""

    FACTORY_SUBSIDY = "factory_subsidy", _("Factory subsidy")
    FINANCE_PLAN = "finance_plan", _("Finance plan")
    COMPETITOR = "competitor", _("Competitor move")
    PROBLEM = "problem", pgettext_lazy("meeting note", "Problem")
    PLAN = "plan", _("Plan")
    OTHER = "other", _("Other")


class DailyReportStatus(models.TextChoices):
    PENDING = "pending", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
