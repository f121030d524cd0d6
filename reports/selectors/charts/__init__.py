"""The reports with charts (issue 13 §6): each one a few grouped queries over a store's
period, shaped as the tables the page shows and the CSV exports (the same cells, as text),
and the chart drawn from them.

Where a row repeats a DESIGN §3 figure it is read the way `reports.metrics` reads it, and
the store's total comes from `store_figures` itself where §3 defines it (walk-in
conversion); the funnel's lead-to-visit and lead-to-deal, first-contact SLA, complaint SLA
and slow stock sum to `store_figures`' numerators and denominators (the tests hold them
equal). Every query reads the store through an index: a range on an indexed timestamp of
the store (leads created, surveys answered, complaints received), the store's stock in one
status, or, for lost reasons, the store's leads closed in the period (store, status,
closed_at). Each report costs a fixed number of queries (`*_QUERIES`),
whatever the number of rows.
"""

from reports.selectors.charts.sales import (
    FunnelCounts,
    first_contact_report,
    funnel_report,
    lost_reasons_report,
    ranking_report,
)
from reports.selectors.charts.service import (
    Scores,
    complaint_sla_report,
    satisfaction_report,
    stock_aging_report,
)
from reports.selectors.charts.tables import (
    COMPLAINT_SLA_QUERIES,
    DASH,
    FIRST_CONTACT_QUERIES,
    FUNNEL_QUERIES,
    LOST_REASONS_QUERIES,
    RANKING_QUERIES,
    SATISFACTION_QUERIES,
    STOCK_AGING_QUERIES,
    Report,
    Table,
)

__all__ = [
    "COMPLAINT_SLA_QUERIES",
    "DASH",
    "FIRST_CONTACT_QUERIES",
    "FUNNEL_QUERIES",
    "LOST_REASONS_QUERIES",
    "RANKING_QUERIES",
    "SATISFACTION_QUERIES",
    "STOCK_AGING_QUERIES",
    "FunnelCounts",
    "Report",
    "Scores",
    "Table",
    "complaint_sla_report",
    "first_contact_report",
    "funnel_report",
    "lost_reasons_report",
    "ranking_report",
    "satisfaction_report",
    "stock_aging_report",
]
