"""After-sales views: the owner's file, the owners' list and the data-quality list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from aftersales.forms.owners import OwnerFilterForm
from aftersales.permissions import DATA_QUALITY_ROLES, OWNER_FILE_ROLES
from aftersales.selectors.owners import (
    DATA_QUALITY_DAYS,
    DATA_QUALITY_DEADLINE_DAYS,
    REQUIRED_FIELDS,
    data_quality_for_user,
    owner_customer_get_for_user,
    owner_file,
    owner_list_for_user,
    owner_rows,
)
from dealership.permissions import has_role, role_required

PAGE_SIZE = 25


@require_safe
@role_required(*OWNER_FILE_ROLES)
def owner_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's file (seed 004 客户档案): cars, service, next maintenance, preferences
    and consent, points, and one timeline from the first lead on."""
    customer = owner_customer_get_for_user(user=request.user, pk=pk)
    return render(request, "aftersales/owner_file.html",
                  {"file": owner_file(user=request.user, customer=customer),
                   "customer": customer})


@require_safe
@role_required(*OWNER_FILE_ROLES)
@vary_on_headers("HX-Request")
def owner_list(request: HttpRequest) -> HttpResponse:
    """The store's owners (a consultant's own), searched and paginated."""
    user = request.user
    if user.store_id is None:
        raise Http404
    form = OwnerFilterForm(request.GET or None, user=user)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    found = owner_list_for_user(user=user, search=data.get("q") or "",
                                consultant=data.get("consultant"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = owner_rows(list(page.object_list), store=user.store)
    context = {"form": form, "page": page, "rows": rows, "today": user.store.today(),
               "filtered": any(data.values()),
               "may_check_quality": has_role(user, *DATA_QUALITY_ROLES)}
    template = "aftersales/owner_list.html"
    if request.htmx and request.htmx.target == "owner-rows":
        template += "#owner-rows"
    return render(request, template, context, status=200 if valid else 400)


@require_safe
@role_required(*DATA_QUALITY_ROLES)
def data_quality(request: HttpRequest) -> HttpResponse:
    """Owners' files of the last 30 store days still missing required fields, per
    consultant, overdue after 2 days (seed 004)."""
    user = request.user
    if user.store_id is None:
        raise Http404
    today = user.store.today()
    groups = data_quality_for_user(user=user, today=today)
    return render(request, "aftersales/owner_data_quality.html",
                  {"groups": groups, "today": today, "days": DATA_QUALITY_DAYS,
                   "deadline_days": DATA_QUALITY_DEADLINE_DAYS,
                   "required": [label for _name, label in REQUIRED_FIELDS],
                   "total": sum(len(g.files) for g in groups),
                   "overdue": sum(g.overdue_count for g in groups)})
