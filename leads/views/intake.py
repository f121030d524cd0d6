"""Web import of leads from a CSV file: upload, and the per-row report of a batch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.forms.intake import LeadImportForm
from leads.importer import (
    RESULTS,
    import_batch_get_for_user,
    import_batch_list_for_user,
    import_leads_csv,
)
from leads.permissions import IMPORT_ROLES, can_import_leads

ROWS_PER_PAGE = 50


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
            batch = import_leads_csv(store=store, data=upload.read(), filename=upload.name,
                                     actor=request.user, campaign=form.cleaned_data["campaign"])
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("Import finished: %(imported)s imported, "
                                        "%(duplicates)s duplicates, %(errors)s errors.")
                             % {"imported": batch.imported, "duplicates": batch.duplicates,
                                "errors": batch.errors})
            return redirect("leads:import_detail", pk=batch.pk)
    context = {"form": form, "batches": import_batch_list_for_user(user=request.user)}
    return render(request, "leads/import_form.html", context,
                  status=400 if form.is_bound else 200)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    result = request.GET.get("result", "")
    if result not in RESULTS:
        result = ""
    rows = [row for row in batch.rows if row.get("result") == result] if result else batch.rows
    context = {
        "batch": batch, "result": result,
        "page": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, partial_template(request, "leads/import_detail.html", "import-rows"),
                  context)
