"""The daily report PDFs: the list of versions, the download, a manager's "make again"."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dealership.db_router import reads_from_replica
from dealership.forms import apply_service_errors, refusal_status
from dealership.permissions import has_role, role_required
from reports.enums import DailyReportStatus
from reports.forms.daily import MONTH_FORMAT, DailyReportFilterForm, DailyReportRequestForm
from reports.permissions import DAILY_REPORT_MAKE_ROLES, DAILY_REPORT_ROLES
from reports.selectors.daily import daily_report_get_for_user, daily_reports_of, request_range
from reports.services.daily import daily_report_request

LIST = "reports/daily_reports.html"
PAGE_SIZE = 30
LIST_DAYS_BACK = 10 * 366  # the month filter reaches back ten years (making: 400 days)


def _list(request: HttpRequest, *, request_form: DailyReportRequestForm | None = None,
          refusal: str = "", status: int = 200) -> HttpResponse:
    """The store's versions, newest day first: the same queries whatever the number of rows
    (the user's store, the count, the page with who asked for each)."""
    store = request.user.store
    earliest, latest = request_range(store)
    filters = DailyReportFilterForm(request.GET or None, latest=latest,
                                    earliest=latest - dt.timedelta(days=LIST_DAYS_BACK))
    if filters.is_bound and not filters.is_valid() and status == 200:
        status = 400
    month = filters.chosen_month()
    page = Paginator(daily_reports_of(store=store, month=month), PAGE_SIZE).get_page(
        request.GET.get("page"))
    can_make = has_role(request.user, *DAILY_REPORT_MAKE_ROLES)
    if can_make and request_form is None:
        request_form = DailyReportRequestForm(earliest=earliest, latest=latest,
                                              initial={"day": latest})
    rows = page.object_list
    # While a version is being made the list polls itself (its partial only).
    template = f"{LIST}#daily-list" if request.htmx and request.method == "GET" else LIST
    return render(request, template, {
        "has_pending": any(row.status == DailyReportStatus.PENDING for row in rows),
        "filters": filters, "page": page, "rows": rows, "month": month,
        "can_make": can_make, "request_form": request_form, "refusal": refusal,
        "statuses": DailyReportStatus, "earliest": earliest, "latest": latest,
    }, status=status)


@require_safe
@role_required(*DAILY_REPORT_ROLES)
@reads_from_replica
def daily_reports(request: HttpRequest) -> HttpResponse:
    return _list(request)


@require_POST
@role_required(*DAILY_REPORT_MAKE_ROLES)
def daily_report_make(request: HttpRequest) -> HttpResponse:
    """A manager makes a day (again): a new version, the old ones kept."""
    store = request.user.store
    earliest, latest = request_range(store)
    form = DailyReportRequestForm(request.POST, earliest=earliest, latest=latest)
    if not form.is_valid():
        return _list(request, request_form=form, status=400)
    day = form.cleaned_data["day"]
    try:
        daily_report_request(store=store, day=day, actor=request.user)
    except ValidationError as error:
        status = refusal_status(error)
        if status == 409:  # the step refused (someone else's version): above the list
            return _list(request, request_form=form, status=status,
                         refusal=" ".join(error.messages))
        apply_service_errors(form, error)
        return _list(request, request_form=form, status=status)
    query = urlencode({"month": f"{day:{MONTH_FORMAT}}"})
    return redirect(f"{reverse('reports:daily_reports')}?{query}")


@require_safe
@role_required(*DAILY_REPORT_ROLES)
@reads_from_replica
def daily_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A ready version's PDF exactly as stored when it was made; never re-rendered."""
    report = daily_report_get_for_user(user=request.user, pk=pk)
    if report.status != DailyReportStatus.READY or not report.file:
        raise Http404(_("This version has no PDF."))
    etag = f'"{report.sha256}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        filename = f"{report.store.code}-daily-report-{report.day:%Y-%m-%d}-v{report.version}.pdf"
        response = FileResponse(report.file.open("rb"), content_type="application/pdf",
                                as_attachment=True, filename=filename)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
