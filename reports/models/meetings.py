from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.enums import MeetingKind, NoteTopic


class MeetingNote(models.Model):
    """What the manager writes on a meeting page: the morning briefing (factory subsidies,
    finance plans, competitor moves) or the evening's problems and plan. Kept per day."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("store"))
    day = models.DateField(_("day"))
    meeting = models.CharField(_("meeting"), max_length=10, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=NoteTopic.choices)
    body = models.TextField(_("note"), max_length=1000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("written by"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["store", "day", "meeting"], name="meeting_note_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.get_meeting_display()} · {self.get_topic_display()}"
