"""Web import of leads from a CSV file: upload (queued as a background job), the progress
and per-row report of a batch, its error report as CSV, and "try again" for a lost job."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from dealership.exports import csv_response
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.forms.intake import LeadImportForm
from leads.importer import (
    ERROR,
    RESULTS,
    import_batch_get_for_user,
    import_batch_list_for_user,
    import_file_check,
)
from leads.models import ImportBatch, ImportStatus
from leads.permissions import IMPORT_ROLES, can_import_leads
from leads.services.imports import QUEUED_GRACE, import_batch_queue, import_batch_retry

ROWS_PER_PAGE = 50
BATCHES_PER_PAGE = 20


@require_http_methods(["GET", "POST"])
@role_required(*IMPORT_ROLES)
def import_upload(request: HttpRequest) -> HttpResponse:
    if not can_import_leads(request.user):
        raise PermissionDenied
    store = request.user.store
    posted = request.method == "POST"
    form = LeadImportForm(request.POST if posted else None, request.FILES if posted else None,
                          store=store)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # A quick look now (encoding, header), so an unusable file is refused at once;
            # the rows are read by the background job.
            import_file_check(upload.read())
            batch = import_batch_queue(store=store, upload=upload, actor=request.user,
                                       campaign=form.cleaned_data["campaign"])
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The file is uploaded and being imported. This page "
                                        "shows how far it is."))
            return redirect(batch)
    batches = Paginator(import_batch_list_for_user(user=request.user), BATCHES_PER_PAGE)
    context = {"form": form, "page": batches.get_page(request.GET.get("page"))}
    context["batches"] = context["page"].object_list
    return render(request, "leads/import_form.html", context,
                  status=400 if form.is_bound else 200)


def _is_stalled(batch: ImportBatch) -> bool:
    return (batch.status == ImportStatus.QUEUED
            and batch.created_at < timezone.now() - QUEUED_GRACE)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    if request.htmx and request.htmx.target == "import-progress":
        if batch.is_finished:
            return HttpResponseClientRefresh()  # the finished page shows the report
        return render(request, "leads/import_detail.html#import-progress",
                      {"batch": batch, "stalled": _is_stalled(batch)})
    result = request.GET.get("result", "")
    if result not in RESULTS:
        result = ""
    rows = [row for row in batch.rows if row.get("result") == result] if result else batch.rows
    context = {
        "batch": batch, "result": result, "stalled": _is_stalled(batch),
        "page": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, partial_template(request, "leads/import_detail.html", "import-rows"),
                  context)


@require_safe
@role_required(*IMPORT_ROLES)
def import_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rows that could not be imported, with the reason: row as the spreadsheet
    numbers it, reason in the uploader's language (as written by the import)."""
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    rows = ([row["row"], row["message"]] for row in batch.rows if row.get("result") == ERROR)
    return csv_response(header=[_("Row"), _("Reason")], rows=rows,
                        filename=f"import-{batch.pk}-errors")


@require_POST
@role_required(*IMPORT_ROLES)
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a batch's job again when its first message never reached a worker."""
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    if not can_import_leads(request.user):
        raise PermissionDenied
    try:
        queued = import_batch_retry(batch=batch, actor=request.user)
    except ValidationError as error:
        context = {"batch": batch, "result": "", "stalled": False,
                   "refusal": " ".join(error.messages),
                   "page": Paginator(batch.rows, ROWS_PER_PAGE).get_page(1)}
        return render(request, "leads/import_detail.html", context, status=409)
    if queued:
        messages.success(request, _("The import is queued again."))
    else:
        messages.error(request, _("The import could not be queued right now; it is tried "
                                  "again automatically in a few minutes."))
    return redirect(batch)
