"""Report pages read from a real streaming replica; writes go to the primary, and reach the
replica by streaming (issue 15 §6). Run by .ci/run's replica step; skipped elsewhere."""

from __future__ import annotations

import os
import re
import time

import pytest
from django.db import DatabaseError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dealership.db_router import replica_reads
from dealership.models import Store
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from tests.factories import StoreFactory

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_REPLICA_URL"),
                       reason="needs a streaming replica in DATABASE_REPLICA_URL (.ci/run)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL streaming"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
CATCH_UP_SECONDS = 30
# What the middleware reads before the view runs (the session, the signed-in user, their
# store's time zone): on the primary.
PRIMARY_ONLY_TABLES = {"django_session", "dealership_user", "dealership_store"}


def _value(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _wait_for_replica() -> None:
    """Until the standby has replayed everything the primary has written so far (the
    insert position: with synchronous_commit off, a commit may not be written yet)."""
    target = _value("default", "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not _value("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        assert time.monotonic() < deadline, f"the replica did not replay {target} in time"
        time.sleep(0.05)


def _tables(queries) -> set[str]:
    return {name for query in queries
            for name in re.findall(r'(?:FROM|JOIN) "([a-z_]+)"', query["sql"])}


def test_the_replica_alias_is_a_read_only_standby_of_the_primary():
    assert _value("default", "SELECT pg_is_in_recovery()") is False
    assert _value("replica", "SELECT pg_is_in_recovery()") is True
    assert _value("replica", "SELECT current_database()") == _value(
        "default", "SELECT current_database()")

    with pytest.raises(DatabaseError, match="read-only transaction"):
        _value("replica", "CREATE TEMPORARY TABLE refused (id int) ; SELECT 1")


def test_a_row_written_on_the_primary_appears_on_the_replica():
    store = StoreFactory(code="REPL", name="复制店")

    _wait_for_replica()

    assert Store.objects.using("replica").get(pk=store.pk).code == "REPL"


def test_a_report_page_reads_on_the_replica(client, manager):
    _wait_for_replica()
    client.force_login(manager)

    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("reports:morning_meeting"))

    assert response.status_code == 200
    assert response.context["board"] is not None
    assert len(replica) > 0
    assert all(query["sql"].startswith("SELECT") for query in replica)
    assert {"leads_lead", "reports_meetingnote"} <= _tables(replica), _tables(replica)
    assert _tables(primary) <= PRIMARY_ONLY_TABLES


def test_a_page_that_writes_reads_and_writes_on_the_primary(client, manager):
    day = manager.store.today()
    _wait_for_replica()
    client.force_login(manager)

    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.post(
            reverse("reports:meeting_note_add", kwargs={"meeting": MeetingKind.MORNING}),
            {"day": day.isoformat(), "topic": NoteTopic.PLAN, "body": "先跟进试驾客户"})

    assert response.status_code == 302
    assert len(replica) == 0
    note = MeetingNote.objects.using("default").get(store=manager.store, day=day)
    assert note.body == "先跟进试驾客户"
    _wait_for_replica()
    assert MeetingNote.objects.using("replica").get(pk=note.pk).body == "先跟进试驾客户"


def test_writes_inside_a_report_view_go_to_the_primary(manager):
    with replica_reads(), CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        Store.objects.filter(pk=manager.store_id).update(name="改名店")

    assert [query["sql"].split()[0] for query in primary] == ["UPDATE"]
    assert len(replica) == 0
    _wait_for_replica()
    assert Store.objects.using("replica").get(pk=manager.store_id).name == "改名店"
