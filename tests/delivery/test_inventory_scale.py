"""The inventory board over open work (issue 15 §1): the slow cars' candidate leads are read
from the open leads of the store, whatever its closed history; on PostgreSQL through the
indexes that put open leads first, not every lead of the store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delivery.selectors.inventory import slow_stock
from leads.enums import Grade, LeadStatus, LostReason
from leads.models import Lead
from tests.factories import CustomerFactory, SeriesFactory, StockVehicleFactory, TrimFactory
from tests.leads.factories import LeadFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="query plans are PostgreSQL's")
# VACUUM runs outside a transaction: these tests commit, and the tables are emptied after.
pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_history(store, consultant):
    """Three thousand closed A and B leads naming the slow car's series, 40 open ones, and
    one slow car; then VACUUM ANALYZE, as autovacuum leaves a table in use."""
    today = store.today()
    series = SeriesFactory(name="凯美瑞")
    StockVehicleFactory(store=store, trim=TrimFactory(series=series),
                        arrival_date=today - dt.timedelta(days=90))
    customer = CustomerFactory(store=store, owner=consultant)
    Lead.objects.bulk_create(
        LeadFactory.build(store=store, customer=customer, owner=consultant,
                          grade=Grade.A if index % 2 else Grade.B, model_interest="凯美瑞",
                          status=LeadStatus.LOST if index % 3 else LeadStatus.WON,
                          lost_reason=LostReason.BOUGHT_COMPETITOR if index % 3 else "")
        for index in range(3000))
    open_leads = [LeadFactory(store=store, customer=customer, owner=consultant,
                              grade=Grade.A, model_interest="凯美瑞 双擎")
                  for _index in range(40)]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE leads_lead")
    return open_leads


def test_slow_stock_reads_candidate_leads_from_the_open_leads_index(long_history, store,
                                                                    manager):
    with CaptureQueriesContext(connection) as queries:
        [car] = slow_stock(user=manager, store=store, today=store.today())
    [sql] = [query["sql"] for query in queries.captured_queries
             if 'FROM "leads_lead"' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert {lead.pk for lead in car.leads} <= {lead.pk for lead in long_history}
    assert car.leads  # the open leads are found; none of the closed ones
    # An index that holds the open leads alone (the partial one) or leads with them (the
    # list's, open first): never the store's every lead, never the table.
    assert "lead_open_owner_idx" in plan or "(open = true)" in plan, plan
    assert "leads_lead_store_id" not in plan, plan
    assert "Seq Scan on leads_lead" not in plan, plan
