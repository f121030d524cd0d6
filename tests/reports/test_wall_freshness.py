"""The wall screen's data version and ETags (reports.freshness)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from leads.models import Lead
from reports import freshness
from reports.enums import MeetingKind, NoteTopic
from reports.freshness import panel_etag, store_version, store_version_bump
from reports.models import MeetingNote
from tests.leads.factories import LeadFactory, TouchFactory
from tests.showroom.factories import VisitFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 12, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_version_is_stable_until_bumped(store, django_capture_on_commit_callbacks):
    first = store_version(store.pk)

    assert store_version(store.pk) == first
    with django_capture_on_commit_callbacks(execute=True):
        store_version_bump(store.pk)
    assert store_version(store.pk) != first


def test_the_version_changes_when_the_write_commits_not_before(
        store, django_capture_on_commit_callbacks):
    before = store_version(store.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store_version_bump(store.pk)
        during = store_version(store.pk)

    for callback in callbacks:
        callback()
    assert (during, len(callbacks)) == (before, 1)
    assert store_version(store.pk) != during


class _AwayCache:
    """The cache server, away: every call fails as redis' client does."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return fail


def test_a_cache_server_away_stops_no_write_and_no_poll(store, consultant, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    monkeypatch.setattr(freshness, "cache", _AwayCache())
    monkeypatch.setattr(freshness, "_cache_down_until", 0.0)

    with django_capture_on_commit_callbacks(execute=True):
        lead = LeadFactory(store=store, owner=consultant)  # bumps, quietly failing

    assert Lead.objects.filter(pk=lead.pk).exists()
    # Without a version every poll gets a fresh one: answered in full, never a stale 304.
    assert store_version(store.pk) != store_version(store.pk)


@pytest.mark.parametrize("make", [
    lambda store, lead: VisitFactory(store=store, consultant=lead.owner),
    lambda store, lead: LeadFactory(store=store),
    lambda store, lead: TouchFactory(lead=lead),
])
def test_a_row_the_boards_read_bumps_its_store_only(store, other_store, consultant, make,
                                                   django_capture_on_commit_callbacks):
    lead = LeadFactory(store=store, owner=consultant)
    before, other = store_version(store.pk), store_version(other_store.pk)

    with django_capture_on_commit_callbacks(execute=True):
        make(store, lead)

    assert store_version(store.pk) != before
    assert store_version(other_store.pk) == other


def test_a_removed_note_bumps_its_store(store, manager, django_capture_on_commit_callbacks):
    note = MeetingNote.objects.create(store=store, day=dt.date(2026, 5, 12),
                                      meeting=MeetingKind.MORNING, topic=NoteTopic.PLAN,
                                      body="早会", author=manager)
    before = store_version(store.pk)

    with django_capture_on_commit_callbacks(execute=True):
        note.delete()

    assert store_version(store.pk) != before


def test_the_etag_changes_with_each_of_its_parts(store, other_store):
    def etag(**changes):
        parts = {"panel": "morning:1", "store_id": store.pk, "tzname": "Asia/Shanghai",
                 "language": "zh-hans", "now": NOON} | changes
        return panel_etag(**parts)

    same = etag()
    assert etag() == same
    assert etag(now=NOON + dt.timedelta(minutes=4, seconds=59)) == same  # one bucket
    variants = [
        etag(panel="morning:2"), etag(store_id=other_store.pk), etag(language="en"),
        etag(now=NOON + dt.timedelta(minutes=5)),
    ]
    assert len({same, *variants}) == 5
    assert same.startswith('"') and same.endswith('"')


def test_the_etag_knows_the_stores_day(store):
    # The same instant, 22:58 UTC, is already the 13th in Shanghai (06:58) and still the
    # 12th in London (23:58, summer time): only the store's day differs.
    late = dt.datetime(2026, 5, 12, 22, 58, tzinfo=dt.UTC)
    shanghai = panel_etag(panel="morning:1", store_id=store.pk, tzname="Asia/Shanghai",
                          language="zh-hans", now=late)
    london = panel_etag(panel="morning:1", store_id=store.pk, tzname="Europe/London",
                        language="zh-hans", now=late)

    assert shanghai != london
