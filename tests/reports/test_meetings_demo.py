"""The meetings' demo: the manager's notes of yesterday and today, once."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from reports.demo.meetings import seed
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote

pytestmark = pytest.mark.django_db


def test_demo_writes_the_briefing_and_an_evening_problem_once(store, manager):
    seed(random.Random(13), store=store, scale="small")
    seed(random.Random(13), store=store, scale="small")

    today, yesterday = store.today(), store.today() - dt.timedelta(days=1)
    notes = list(MeetingNote.objects.values_list("day", "meeting", "topic"))
    assert len(notes) == 7
    assert {topic for day, meeting, topic in notes if (day, meeting) == (today, "morning")} == {
        NoteTopic.FACTORY_SUBSIDY, NoteTopic.FINANCE_PLAN, NoteTopic.COMPETITOR}
    assert (yesterday, MeetingKind.EVENING, NoteTopic.PROBLEM) in notes
    assert all(note.author == manager for note in MeetingNote.objects.all())


def test_demo_without_a_manager_writes_nothing(store):
    seed(random.Random(13), store=store, scale="small")

    assert not MeetingNote.objects.exists()
