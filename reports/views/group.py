"""The group executive's figures: the headline §3 figures per store side by side, for a
day or a month (month to date by default), and their CSV. Aggregates only: no customer,
no consultant is named here."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from dealership.db_router import reads_from_replica
from dealership.forms import BoundedDateField
from dealership.permissions import role_required
from dealership.text import spreadsheet_cell
from reports.forms.targets import MonthField
from reports.permissions import GROUP_ROLES
from reports.selectors.group import group_period_bounds, group_rows, group_stores_for_user
from reports.selectors.targets import month_end, month_start

PAGE = "reports/group_overview.html"


class GroupPeriodForm(forms.Form):
    """A day (?day=YYYY-MM-DD) or a month (?month=YYYY-MM); neither: month to date."""

    day = BoundedDateField(label=gettext_lazy("Day"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    month = MonthField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        earliest, latest = group_period_bounds(today)
        self.fields["day"].set_range(earliest, latest)
        self.fields["month"].set_range(earliest, month_start(latest))


def _period(request: HttpRequest):
    """(first_day, last_day, is_month, form): first_day None means each store's own month
    to date."""
    today = timezone.localdate()
    form = GroupPeriodForm(request.GET, today=today)
    if not form.is_valid():
        return None, None, True, form
    day, month = form.cleaned_data["day"], form.cleaned_data["month"]
    if day:
        return day, day, False, form
    if month and month != month_start(today):
        return month, month_end(month), True, form
    return None, None, True, form


def _rows(request: HttpRequest):
    first_day, last_day, is_month, form = _period(request)
    rows = group_rows(stores=group_stores_for_user(request.user), first_day=first_day,
                      last_day=last_day, month=is_month)
    return rows, is_month, form


@require_safe
@role_required(*GROUP_ROLES)
@reads_from_replica
def group_overview(request: HttpRequest) -> HttpResponse:
    rows, is_month, form = _rows(request)
    context = {"rows": rows, "is_month": is_month, "form": form,
               "query": request.GET.urlencode()}
    return render(request, PAGE, context, status=400 if form.errors else 200)


@require_safe
@role_required(*GROUP_ROLES)
@reads_from_replica
def group_export(request: HttpRequest) -> HttpResponse:
    """The same table as CSV (UTF-8 with BOM, for Excel)."""
    rows, _is_month, form = _rows(request)
    if form.errors:
        return HttpResponse(" ".join(e for errors in form.errors.values() for e in errors),
                            status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="group-figures.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Store code"), _("Store"), _("First day"), _("Last day"),
                     _("First visits"), _("Return visits"), _("Deals"), _("Deals target"),
                     _("Walk-in conversion"), _("Invitation show rate"),
                     _("First-contact SLA"), _("Slow stock"), _("Complaint SLA")])
    for row in rows:
        f = row.figures
        writer.writerow([
            spreadsheet_cell(row.store.code), spreadsheet_cell(row.store.name),
            f.first_day.isoformat(), f.last_day.isoformat(),
            f.walk_ins_first, f.walk_ins_return, f.deals,
            "" if row.deals_target is None else int(row.deals_target),
            *("" if r.value is None else r.value for r in (
                f.walk_in_conversion, f.invitation_show_rate, f.first_contact_sla)),
            f.slow_stock, "" if f.complaint_sla.value is None else f.complaint_sla.value,
        ])
    return response
