"""The read router (dealership/db_router.py): where each read and write goes, and which
report views may read from the replica. A real streaming replica is exercised by
tests/replica/streaming/ (the replica step of .ci/run)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dealership.db_router import (
    ReplicaRouter,
    reads_from_replica,
    replica_reads,
    replica_reads_active,
)
from dealership.models import Store, User
from leads.models import Lead
from reports.models import MeetingNote

SETTINGS = Path(__file__).resolve().parents[2] / "dealership" / "settings.py"
router = ReplicaRouter()

# The report pages whose reads may go to the replica: read-only (GET/HEAD) views of
# figures, meetings, charts, the group, the daily reports and the wall screen. Pages that
# write (meeting notes, targets, kiosk links, commission schemes, making a daily report)
# are not routed: they must read their own writes.
ROUTED = {
    "reports:store_overview",
    "reports:morning_meeting", "reports:evening_meeting",
    "reports:charts", "reports:chart_funnel", "reports:chart_ranking", "reports:chart_lost",
    "reports:chart_first_contact", "reports:chart_complaints", "reports:chart_satisfaction",
    "reports:chart_stock_aging",
    "reports:group_overview", "reports:group_export",
    "reports:daily_reports", "reports:daily_report_download",
    "wall:screen", "wall:meeting", "wall:panel",
}
URL_KWARGS = {"pk": 1, "signed": "not-a-link", "meeting": "now", "slot": 0}


# --- The router ------------------------------------------------------------------------
def test_reads_go_to_default_outside_a_report_view():
    assert router.db_for_read(Lead) == "default"
    assert router.db_for_read(MeetingNote) == "default"


def test_reads_of_project_tables_go_to_the_replica_inside_a_report_view():
    with replica_reads():
        assert [router.db_for_read(model) for model in (Lead, MeetingNote, Store, User)] == [
            "replica", "replica", "replica", "replica"]


def test_django_tables_stay_on_default_inside_a_report_view():
    with replica_reads():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(ContentType) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_default():
    """A read in a transaction must see the transaction's writes (and every test not
    marked transactional runs in one: the normal suite reads default)."""
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Lead) == "default"


def test_writes_always_go_to_default():
    assert router.db_for_write(Lead) == "default"
    with replica_reads():
        assert router.db_for_write(Lead) == "default"
        assert router.db_for_write(MeetingNote) == "default"


def test_only_default_is_migrated_and_relations_are_allowed_across_aliases():
    assert router.allow_migrate("default", "leads") is True
    assert router.allow_migrate("replica", "leads") is False
    assert router.allow_migrate("replica", "sessions") is False
    assert router.allow_relation(Lead(), Store()) is True


# --- The decorator ---------------------------------------------------------------------
def _recording_view():
    seen = []

    @reads_from_replica
    def view(request):
        seen.append(replica_reads_active())
        return request.method

    return view, seen


def test_a_get_runs_the_view_with_replica_reads_then_restores():
    view, seen = _recording_view()

    view(RequestFactory().get("/"))
    view(RequestFactory().head("/"))

    assert seen == [True, True]
    assert replica_reads_active() is False


def test_a_post_is_never_routed():
    view, seen = _recording_view()

    view(RequestFactory().post("/"))

    assert seen == [False]


def test_replica_reads_end_when_the_view_raises():
    @reads_from_replica
    def view(request):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        view(RequestFactory().get("/"))

    assert replica_reads_active() is False


# --- Which views are routed ------------------------------------------------------------
def _named_views(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_the_routed_views_are_exactly_the_read_only_report_pages():
    routed = {name for name, pattern in _named_views(get_resolver().url_patterns)
              if getattr(pattern.callback, "reads_from_replica", False)}

    assert routed == ROUTED


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTED))
def test_every_routed_view_refuses_a_post(client, name):
    pattern = dict(_named_views(get_resolver().url_patterns))[name]
    kwargs = {key: URL_KWARGS[key] for key in pattern.pattern.converters}

    response = client.post(reverse(name, kwargs=kwargs))

    assert response.status_code == 405


# --- Settings --------------------------------------------------------------------------
def _settings_with(monkeypatch, **env) -> dict:
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_without_a_replica_url_there_is_one_alias_and_no_router(monkeypatch):
    config = _settings_with(monkeypatch, DATABASE_URL="postgres://app:pw@primary:5432/app")

    assert list(config["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in config


def test_a_replica_url_adds_the_replica_alias_mirrored_in_tests(monkeypatch):
    config = _settings_with(monkeypatch, DATABASE_URL="postgres://app:pw@primary:5432/app",
                            DATABASE_REPLICA_URL="postgres://app:pw@standby:5433/app")

    replica = config["DATABASES"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("standby", 5433, "app")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert config["DATABASES"]["default"]["HOST"] == "primary"
    assert config["DATABASE_ROUTERS"] == ["dealership.db_router.ReplicaRouter"]


def test_a_replica_without_a_primary_url_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL needs DATABASE_URL"):
        _settings_with(monkeypatch, DATABASE_REPLICA_URL="postgres://app:pw@standby:5433/app")
