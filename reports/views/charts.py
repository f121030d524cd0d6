"""Reports with charts (issue 13 §6): a page per report with its period, chart, the table
behind it (the truth; the chart is drawn from it by static/js/charts.js when scripts run),
and `?format=csv` for exactly that table. Reports only read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from dealership.db_router import reads_from_replica
from dealership.permissions import role_required
from dealership.text import spreadsheet_cell
from reports.forms.charts import ChartPeriodForm
from reports.permissions import CHART_CHANNEL_ROLES, CHART_ROLES, CHART_STAFF_ROLES, can_view_chart
from reports.selectors import charts as selectors
from reports.selectors.charts import Report, Table

PAGE = "reports/chart_report.html"


@dataclass(frozen=True)
class ChartPage:
    slug: str
    url_name: str
    title: str | Promise
    summary: str | Promise
    roles: tuple[str, ...]
    build: Callable[..., Report]


PAGES = (
    ChartPage("funnel", "reports:chart_funnel", _("Funnel by channel and campaign"),
              _("Leads created in the period and how far each got: a visit, a test drive, a "
                "quote, a deal, a delivery. Cost per lead and per deal divide the campaign's "
                "budget by its leads and deals of the period."),
              CHART_CHANNEL_ROLES, selectors.funnel_report),
    ChartPage("ranking", "reports:chart_ranking", _("Consultant ranking"),
              _("What each consultant did in the period, most deals first. Walk-in "
                "conversion: their deals ÷ the first visits they served."),
              CHART_STAFF_ROLES, selectors.ranking_report),
    ChartPage("lost", "reports:chart_lost", _("Lost reasons"),
              _("Leads closed as lost in the period, by reason and by channel."),
              CHART_CHANNEL_ROLES, selectors.lost_reasons_report),
    ChartPage("first-contact", "reports:chart_first_contact", _("First-contact SLA"),
              _("Online leads created in the period and touched within 60 minutes."),
              CHART_STAFF_ROLES, selectors.first_contact_report),
    ChartPage("complaints", "reports:chart_complaints", _("Complaint SLA"),
              _("Complaints received in the period: response in 2 h, proposal in 24 h, "
                "resolution in 48 h."),
              CHART_STAFF_ROLES, selectors.complaint_sla_report),
    ChartPage("satisfaction", "reports:chart_satisfaction", _("Satisfaction (CSI)"),
              _("Surveys answered in the period; a low score is 6 or less."),
              CHART_STAFF_ROLES, selectors.satisfaction_report),
    ChartPage("stock-aging", "reports:chart_stock_aging", _("Stock aging"),
              _("Vehicles in stock by model and by store days since arrival, counted to the "
                "period's last day."),
              CHART_STAFF_ROLES, selectors.stock_aging_report),
)
BY_SLUG = {page.slug: page for page in PAGES}


def csv_text(tables: list[Table]) -> str:
    """The tables as CSV: each its title, header, rows and total, a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([str(table.title)])
        writer.writerow([str(h) for h in table.header])
        for row in [*table.rows, *([table.total] if table.total else [])]:
            writer.writerow([spreadsheet_cell(str(cell)) for cell in row])
    return out.getvalue()


def _report(request: HttpRequest, page: ChartPage) -> HttpResponse:
    store = request.user.store
    form = ChartPeriodForm(request.GET, store=store)
    if not form.is_valid():
        context = {"page": page, "form": form, "report": None}
        return render(request, PAGE, context, status=400)
    first_day, last_day = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    report = page.build(store=store, first_day=first_day, last_day=last_day)
    if request.GET.get("format") == "csv":
        response = HttpResponse("\ufeff" + csv_text(report.tables),
                                content_type="text/csv; charset=utf-8")
        filename = f"{page.slug}-{store.code}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    query = f"first_day={first_day:%Y-%m-%d}&last_day={last_day:%Y-%m-%d}"
    context = {"page": page, "form": form, "report": report, "first_day": first_day,
               "last_day": last_day, "csv_query": f"?{query}&format=csv"}
    return render(request, PAGE, context)


@require_safe
@role_required(*CHART_ROLES)
@reads_from_replica
def chart_index(request: HttpRequest) -> HttpResponse:
    """The reports this user may open."""
    pages = [page for page in PAGES if can_view_chart(request.user, page.roles)]
    return render(request, "reports/chart_index.html", {"pages": pages})


@require_safe
@role_required(*CHART_CHANNEL_ROLES)
@reads_from_replica
def chart_funnel(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["funnel"])


@require_safe
@role_required(*CHART_STAFF_ROLES)
@reads_from_replica
def chart_ranking(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["ranking"])


@require_safe
@role_required(*CHART_CHANNEL_ROLES)
@reads_from_replica
def chart_lost(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["lost"])


@require_safe
@role_required(*CHART_STAFF_ROLES)
@reads_from_replica
def chart_first_contact(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["first-contact"])


@require_safe
@role_required(*CHART_STAFF_ROLES)
@reads_from_replica
def chart_complaints(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["complaints"])


@require_safe
@role_required(*CHART_STAFF_ROLES)
@reads_from_replica
def chart_satisfaction(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["satisfaction"])


@require_safe
@role_required(*CHART_STAFF_ROLES)
@reads_from_replica
def chart_stock_aging(request: HttpRequest) -> HttpResponse:
    return _report(request, BY_SLUG["stock-aging"])
