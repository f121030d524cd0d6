"""Commission (issue 13 §8): the month's statement (a consultant their own, the manager
everyone's), its CSV for payroll (managers and finance) and the scheme's versions."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from dealership.enums import Role
from dealership.forms import apply_service_errors, refusal_status
from dealership.htmx import partial_template
from dealership.models import User
from dealership.permissions import role_required
from dealership.text import spreadsheet_cell
from reports.forms.commission import (
    CommissionMonthForm,
    CommissionSchemeForm,
    CommissionTierFormSet,
)
from reports.models import CommissionScheme
from reports.permissions import (
    COMMISSION_EXPORT_ROLES,
    COMMISSION_SCHEME_ROLES,
    COMMISSION_VIEW_ROLES,
    can_export_commission,
    can_set_commission_scheme,
    can_view_commission,
)
from reports.selectors.commission import CommissionStatement, commission_statement
from reports.services.commission import commission_scheme_create

PAGE_ROLES = tuple(dict.fromkeys(COMMISSION_VIEW_ROLES + COMMISSION_EXPORT_ROLES))
TEMPLATE = "reports/commission_statement.html"


@require_safe
@vary_on_headers("HX-Request")
@role_required(*PAGE_ROLES)
def commission(request: HttpRequest) -> HttpResponse:
    """The month's commission: a consultant's own statement; the manager's table of every
    consultant with totals; finance's download. `?format=csv` is the payroll file."""
    user = request.user
    form = CommissionMonthForm(request.GET, store=user.store)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    month = form.chosen_month()
    if request.GET.get("format") == "csv":
        if not can_export_commission(user):
            raise PermissionDenied
        return _csv(commission_statement(store=user.store, month=month))
    context = {"form": form, "month": month, "can_export": can_export_commission(user),
               "can_set_scheme": can_set_commission_scheme(user, user.store)}
    if user.role == Role.CONSULTANT:
        statement = commission_statement(store=user.store, month=month, consultant=user)
        context.update(statement=statement, entry=statement.consultants[0])
    elif user.role in COMMISSION_VIEW_ROLES:
        context["statement"] = commission_statement(store=user.store, month=month)
    partial = "commission-body" if "statement" in context else "commission-export"
    return render(request, partial_template(request, TEMPLATE, partial), context)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*COMMISSION_VIEW_ROLES)
def commission_consultant(request: HttpRequest, consultant_id: int) -> HttpResponse:
    """One consultant's statement with its lines: the manager's drill-down; a consultant
    may open only their own (anyone else's is 404, as outside the store). Only sellers
    earn commission: another member of staff is 404 too."""
    user = request.user
    consultant = User.objects.filter(pk=consultant_id, store_id=user.store_id,
                                     role=Role.CONSULTANT).first()
    if consultant is None or not can_view_commission(user, consultant):
        raise Http404
    form = CommissionMonthForm(request.GET, store=user.store)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    month = form.chosen_month()
    statement = commission_statement(store=user.store, month=month, consultant=consultant)
    context = {"form": form, "month": month, "statement": statement,
               "entry": statement.consultants[0], "drill_down": True,
               "can_export": can_export_commission(user)}
    return render(request, partial_template(request, TEMPLATE, "commission-body"), context)



def commission_csv_rows(statement: CommissionStatement) -> list[list[str]]:
    """The payroll file's rows: a header, then one row per consultant (the manager's table
    on the page, the same figures)."""
    rows = [[_("Month"), _("Consultant"), _("Username"), _("Units"), _("Tier from units"),
             _("Amount per unit"), _("Units amount"), _("Value-added"),
             pgettext("commission", "Finance"), pgettext("commission", "Insurance"),
             _("Reversals"), pgettext("commission", "Total")]]
    for entry in statement.consultants:
        rows.append([
            statement.month.strftime("%Y-%m"), spreadsheet_cell(entry.consultant.get_full_name()),
            spreadsheet_cell(entry.consultant.get_username()), str(entry.units),
            str(entry.tier.min_units) if entry.tier else "",
            *(f"{amount:.2f}" for amount in (
                entry.unit_amount, entry.units_total, entry.value_added_total,
                entry.finance_total, entry.insurance_total, entry.reversals_total,
                entry.total))])
    return rows


def _csv(statement: CommissionStatement) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so Excel opens the UTF-8 Chinese text correctly
    csv.writer(buffer).writerows(commission_csv_rows(statement))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"commission-{statement.store.code}-{statement.month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*COMMISSION_SCHEME_ROLES)
def commission_scheme(request: HttpRequest) -> HttpResponse:
    """The scheme's versions, newest first, and the form for a new one (prefilled with the
    newest version's terms). A version whose month has begun is never edited."""
    store = request.user.store
    if not can_set_commission_scheme(request.user, store):
        raise PermissionDenied
    versions = list(CommissionScheme.objects.filter(store=store)
                    .select_related("created_by").prefetch_related("tiers"))
    if request.method == "POST":
        form = CommissionSchemeForm(request.POST, store=store)
        tiers = CommissionTierFormSet(request.POST, prefix="tiers")
        if form.is_valid() and tiers.is_valid():
            try:
                commission_scheme_create(
                    store=store, valid_from=form.cleaned_data["valid_from"],
                    tiers=tiers.tiers(), percents=form.percents(),
                    note=form.cleaned_data["note"], actor=request.user)
            except ValidationError as error:
                apply_service_errors(form, error)
                status = refusal_status(error)
            else:
                url = reverse("reports:commission_scheme")
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        else:
            status = 400
    else:
        form, status = _prefilled(store, versions), 200
        tiers = CommissionTierFormSet(prefix="tiers", initial=[
            {"min_units": tier.min_units, "amount_per_unit": tier.amount_per_unit}
            for tier in (versions[0].tiers.all() if versions else [])])
    context = {"versions": versions, "form": form, "tiers": tiers}
    template = "reports/commission_scheme.html"
    if request.htmx and status != 200:
        template = partial_template(request, template, "scheme-form")
    return render(request, template, context, status=status)


def _prefilled(store, versions: list[CommissionScheme]) -> CommissionSchemeForm:
    latest = versions[0] if versions else None
    initial = {} if latest is None else {
        "value_added_percent": latest.value_added_percent,
        "finance_percent": latest.finance_percent,
        "insurance_percent": latest.insurance_percent}
    return CommissionSchemeForm(store=store, initial=initial)
