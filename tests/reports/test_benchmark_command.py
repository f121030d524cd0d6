"""`manage.py benchmark` in-process (no gunicorn, no load run) on a tiny store: the JSON's
shape, the floor, ratios to it, the growth column, and nothing left behind."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from dealership.enums import Role
from leads.models import ApiKey, Lead
from leads.services.routing import routing_loads_reconcile
from reports.bench.figures import add_growth, judge, percentile
from reports.models import KioskLink
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

MAIN_PAGES = {
    "lead_list_25", "lead_list_100", "lead_detail", "search_phone", "search_last4",
    "lead_list_search_phone", "lead_list_search_last4", "reception_desk",
    "test_drive_calendar", "quote_builder", "contract_list", "delivery_calendar",
    "inventory_board", "complaint_board", "morning_meeting", "evening_meeting",
    "home_manager",
}


@pytest.fixture
def tiny_store(store, manager, supervisor, consultant, customer, make_user):
    make_user(Role.RECEPTIONIST, username="receptionist")
    make_user(Role.CUSTOMER_CARE, username="customer_care")
    LeadFactory(store=store, owner=consultant, customer=customer)
    return store


def _run(tmp_path, name: str, *extra: str) -> dict:
    target = tmp_path / name
    call_command("benchmark", "--in-process", "--requests", "2", "--warm-up", "0", "--no-load",
                 "--no-pdf",
                 "--json", str(target), *extra, stdout=io.StringIO())
    return json.loads(target.read_text(encoding="utf-8"))


def test_benchmark_writes_every_page_as_a_ratio_to_the_floor(tiny_store, tmp_path):
    leads, sessions = Lead.objects.count(), Session.objects.count()
    routing_loads_reconcile()  # the factories keep no loads; the API's leads must

    result = _run(tmp_path, "run.json")

    assert {"meta", "floor", "pages", "wall", "api", "jobs", "notes"} <= result.keys()
    floor = result["floor"]
    assert floor["key"] == "floor"
    assert floor["runs"] == 4  # two at the start, two at the end
    assert floor["median_ms"] > 0
    keys = {row["key"] for row in result["pages"]}
    assert keys >= MAIN_PAGES
    for row in result["pages"]:
        assert row["runs"] == 2
        assert row["status_ok"], (row["key"], row["status"])
        assert isinstance(row["queries"], int) and row["queries"] > 0
        assert row["ratio"] == pytest.approx(row["median_ms"] / floor["median_ms"], abs=1e-3)
        if row["kind"] in ("list", "detail", "partial", "search_phone", "search_suffix",
                           "board"):
            assert row["target"] and row["pass"] in (True, False)
    assert result["meta"]["leads"] == 1
    assert result["wall"]["unchanged_poll"]["status"] == 304
    assert result["wall"]["unchanged_poll"]["queries"] == 0
    assert result["api"]["new"]["status"] == 201
    assert result["api"]["duplicate"]["status"] == 200
    assert result["api"]["new"]["queries"] > result["api"]["duplicate"]["queries"] > 0
    # Counted as tests/leads/test_api_queries.py counts them (the benchmark's leads carry an
    # external id): the rolled-back wrapper's SAVEPOINT/RELEASE are not the request's.
    assert (result["api"]["new"]["queries"], result["api"]["duplicate"]["queries"]) == (10, 6)
    assert all(job.get("runs") or job.get("skipped") for job in result["jobs"])
    # Nothing left behind: the API's leads, its key, the kiosk link, the sessions.
    assert Lead.objects.count() == leads
    assert ApiKey.objects.count() == 0
    assert KioskLink.objects.count() == 0
    assert Session.objects.count() == sessions
    assert routing_loads_reconcile() == 0  # the consultants' open-lead loads put back


def test_growth_divides_this_median_by_the_earlier_one(tmp_path):
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"meta": {"leads": 10_000}, "pages": [
        {"key": "lead_list_25", "median_ms": 20.0}, {"key": "team_board", "median_ms": 10.0}]}))
    pages = [{"key": "lead_list_25", "median_ms": 25.0}, {"key": "team_board", "median_ms": 31.0},
             {"key": "new_page", "median_ms": 5.0}]

    add_growth(pages, earlier)

    assert [(row.get("growth"), row.get("growth_pass")) for row in pages] == [
        (1.25, True), (3.1, False), (None, None)]


def test_judge_fails_a_list_over_its_ratio_or_its_p95():
    fast = judge({"kind": "list", "median_ms": 50.0, "p95_ms": 100.0, "queries": 7}, 10.0)
    slow = judge({"kind": "list", "median_ms": 70.0, "p95_ms": 100.0, "queries": 7}, 10.0)
    late = judge({"kind": "list", "median_ms": 50.0, "p95_ms": 151.0, "queries": 7}, 10.0)
    chatty = judge({"kind": "board", "median_ms": 50.0, "p95_ms": 100.0, "queries": 9}, 10.0)

    assert (fast["ratio"], fast["pass"]) == (5.0, True)
    assert (slow["ratio"], slow["pass"], slow["failed"]) == (7.0, False, ["ratio"])
    assert (late["pass"], late["failed"]) == (False, ["p95"])
    assert (chatty["pass"], chatty["failed"]) == (False, ["queries"])


def test_percentile_is_nearest_rank():
    assert percentile(list(range(1, 51)), 0.95) == 48
    assert percentile([3.0], 0.95) == 3.0


def test_benchmark_refuses_an_unknown_store_and_a_store_without_leads(store, manager, tmp_path):
    with pytest.raises(CommandError, match="Unknown store: NOPE"):
        call_command("benchmark", "--store", "NOPE", "--in-process", stdout=io.StringIO())
    with pytest.raises(CommandError, match="store DEMO has no active supervisor"):
        call_command("benchmark", "--in-process", "--no-load", stdout=io.StringIO())
