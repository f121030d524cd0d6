"""The catalogue screens: the group's trims and colours (read by managers, changed by the
administrator), with each item's price history.

The page helpers below (`catalogue_list_page`, `catalogue_create_page`,
`catalogue_detail_page`, `catalogue_active_action`) are shared with the contracts stage's
accessories and packages: one look and one behaviour for every catalogue list and item.
Each caller passes the tabs and URLs, so these templates never name a stage's URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import PriceKind, Role
from dealership.forms import (
    CatalogueForm,
    ColourForm,
    TrimForm,
    apply_service_errors,
    refusal_status,
)
from dealership.htmx import partial_template
from dealership.permissions import can_edit_group_catalogue, role_required
from dealership.selectors import (
    colour_catalogue_filter,
    colour_get_for_catalogue,
    price_history_for,
    trim_catalogue_filter,
    trim_get_for_catalogue,
)
from dealership.services import catalogue as services
from dealership.templatetags.money_tags import cny

CATALOGUE_ROLES = (Role.MANAGER, Role.ADMIN)
PAGE_SIZE = 25
LIST = "dealership/catalogue_list.html"
FORM = "dealership/catalogue_form.html"
DETAIL = "dealership/catalogue_detail.html"


@dataclass(frozen=True)
class Tab:
    url: str
    label: str
    current: bool = False


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    num: bool = False


@dataclass(frozen=True)
class Row:
    url: str
    name: str
    cells: Sequence[Cell]
    is_active: bool


@dataclass(frozen=True)
class CatalogueKind:
    """What the shared pages need to know of one kind of catalogue item."""

    price_kind: str
    price_field: str
    fields: tuple[str, ...]
    form_class: type[CatalogueForm]
    title: Any
    new_title: Any
    update: Callable[..., models.Model]
    set_active: Callable[..., models.Model]
    facts: Callable[[models.Model], list[tuple[str, str]]]


def catalogue_list_page(request: HttpRequest, *, kind: CatalogueKind, filterset, headers,
                        row: Callable[[Any], Row], tabs: list[Tab], list_url: str,
                        create_url: str = "") -> HttpResponse:
    """A filtered, paginated list; an htmx request gets the rows only."""
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"kind": kind, "filter": filterset, "page": page, "headers": headers,
               "rows": [row(item) for item in page.object_list], "tabs": tabs,
               "list_url": list_url, "create_url": create_url}
    return render(request, partial_template(request, LIST, "catalogue-rows"), context)


def catalogue_create_page(request: HttpRequest, *, kind: CatalogueKind, form: CatalogueForm,
                          create: Callable[..., models.Model], cancel_url: str,
                          detail_url: Callable[[models.Model], str]) -> HttpResponse:
    """The "new item" form; a valid one goes to the service, a refusal stays on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            item = create(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("“%(item)s” added.") % {"item": item})
            return redirect(detail_url(item))
    return render(request, FORM, {"kind": kind, "form": form, "cancel_url": cancel_url},
                  status=400 if form.errors else 200)


def _item_initial(kind: CatalogueKind, item: models.Model) -> dict[str, Any]:
    initial = {name: getattr(item, name) for name in kind.fields}
    initial["version"] = services.catalogue_version(instance=item, fields=kind.fields)
    return initial


def catalogue_detail_page(request: HttpRequest, *, kind: CatalogueKind, item: models.Model,
                          can_edit: bool, detail_url: str, active_url: str,
                          tabs: list[Tab], refusal: str = "", status: int = 200,
                          form_kwargs: dict[str, Any] | None = None) -> HttpResponse:
    """The item, its price history and, for those who may, its edit form (POST saves)."""
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = None
    if can_edit:
        data = request.POST if request.method == "POST" and not refusal else None
        form = kind.form_class(data, initial=_item_initial(kind, item), editing=True,
                               **(form_kwargs or {}))
        if data is not None:
            if form.is_valid():
                values = dict(form.cleaned_data)
                version = values.pop("version")
                try:
                    saved = kind.update(actor=request.user, item=item, version=version,
                                        **values)
                except ValidationError as error:
                    apply_service_errors(form, error)
                    status = refusal_status(error)
                else:
                    messages.success(request, _("“%(item)s” saved.") % {"item": saved})
                    return redirect(detail_url)
            else:
                status = 400
    context = {"kind": kind, "item": item, "facts": kind.facts(item), "form": form,
               "can_edit": can_edit, "active_url": active_url, "tabs": tabs,
               "refusal": refusal,
               "history": price_history_for(item_kind=kind.price_kind, item_id=item.pk,
                                            store_id=getattr(item, "store_id", None))}
    return render(request, DETAIL, context, status=status)


def catalogue_active_action(request: HttpRequest, *, kind: CatalogueKind, item: models.Model,
                            detail_url: str, active_url: str, tabs: list[Tab],
                            form_kwargs: dict[str, Any] | None = None) -> HttpResponse:
    """Retire an item or put it back (POST `is_active` = 0 or 1); a refusal shows the
    item's page with the reason (400 for a bad request, 409 when it is so already)."""
    wanted = request.POST.get("is_active")
    page = {"kind": kind, "item": item, "can_edit": True, "detail_url": detail_url,
            "active_url": active_url, "tabs": tabs, "form_kwargs": form_kwargs}
    if wanted not in ("0", "1"):
        return catalogue_detail_page(request, **page, status=400,
                                     refusal=_("Choose whether the item is on sale."))
    try:
        kind.set_active(actor=request.user, item=item, is_active=wanted == "1")
    except ValidationError as error:
        return catalogue_detail_page(request, **page, status=409,
                                     refusal=" ".join(error.messages))
    if wanted == "1":
        messages.success(request, _("“%(item)s” is on sale again.") % {"item": item})
    else:
        messages.success(request, _("“%(item)s” is retired: new quotes no longer offer it; "
                                    "quotes already written keep it.") % {"item": item})
    return redirect(detail_url)


# --- Trims and colours ---------------------------------------------------------------------
def _core_tabs(current: str) -> list[Tab]:
    return [Tab(reverse("catalogue:trim_list"), _("Trims"), current == "trims"),
            Tab(reverse("catalogue:colour_list"), _("Colours"), current == "colours")]


def _on_sale(item) -> str:
    return _("On sale") if item.is_active else _("Retired")


TRIMS = CatalogueKind(
    price_kind=PriceKind.TRIM, price_field="msrp", fields=services.TRIM_FIELDS,
    form_class=TrimForm, title=gettext_lazy("Trims"), new_title=gettext_lazy("New trim"),
    update=lambda *, item, **kwargs: services.trim_update(trim=item, **kwargs),
    set_active=lambda *, item, **kwargs: services.trim_set_active(trim=item, **kwargs),
    facts=lambda trim: [
        (_("Series"), str(trim.series)), (_("Model year"), str(trim.model_year)),
        (_("Powertrain"), trim.get_powertrain_display()), (_("Seats"), str(trim.seats)),
        (_("MSRP (CNY)"), cny(trim.msrp)), (_("On sale"), _on_sale(trim))],
)

COLOURS = CatalogueKind(
    price_kind=PriceKind.COLOUR, price_field="surcharge", fields=services.COLOUR_FIELDS,
    form_class=ColourForm, title=gettext_lazy("Colours"),
    new_title=gettext_lazy("New colour"),
    update=lambda *, item, **kwargs: services.colour_update(colour=item, **kwargs),
    set_active=lambda *, item, **kwargs: services.colour_set_active(colour=item, **kwargs),
    facts=lambda colour: [
        (_("Series"), str(colour.series)), (_("Colour code"), colour.hex_code or "—"),
        (_("Surcharge (CNY)"), cny(colour.surcharge)), (_("On sale"), _on_sale(colour))],
)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CATALOGUE_ROLES)
def trim_list(request: HttpRequest) -> HttpResponse:
    return catalogue_list_page(
        request, kind=TRIMS, filterset=trim_catalogue_filter(data=request.GET),
        headers=[_("Trim"), _("Series"), _("Model year"), _("MSRP (CNY)"), _("On sale")],
        row=lambda trim: Row(reverse("catalogue:trim_detail", args=[trim.pk]),
                             f"{trim.model_year} {trim.name}",
                             [Cell(_("Series"), str(trim.series)),
                              Cell(_("Model year"), str(trim.model_year)),
                              Cell(_("MSRP (CNY)"), cny(trim.msrp), num=True)],
                             trim.is_active),
        tabs=_core_tabs("trims"), list_url=reverse("catalogue:trim_list"),
        create_url=(reverse("catalogue:trim_create")
                    if can_edit_group_catalogue(request.user) else ""))


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def trim_create(request: HttpRequest) -> HttpResponse:
    return catalogue_create_page(
        request, kind=TRIMS, form=TrimForm(request.POST or None),
        create=lambda **values: services.trim_create(actor=request.user, **values),
        cancel_url=reverse("catalogue:trim_list"),
        detail_url=lambda trim: reverse("catalogue:trim_detail", args=[trim.pk]))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def trim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trim = trim_get_for_catalogue(pk=pk)
    return catalogue_detail_page(
        request, kind=TRIMS, item=trim, can_edit=can_edit_group_catalogue(request.user),
        detail_url=reverse("catalogue:trim_detail", args=[pk]),
        active_url=reverse("catalogue:trim_active", args=[pk]), tabs=_core_tabs("trims"))


@require_POST
@role_required(Role.ADMIN)
def trim_active(request: HttpRequest, pk: int) -> HttpResponse:
    trim = trim_get_for_catalogue(pk=pk)
    return catalogue_active_action(
        request, kind=TRIMS, item=trim, detail_url=reverse("catalogue:trim_detail", args=[pk]),
        active_url=reverse("catalogue:trim_active", args=[pk]), tabs=_core_tabs("trims"))


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CATALOGUE_ROLES)
def colour_list(request: HttpRequest) -> HttpResponse:
    return catalogue_list_page(
        request, kind=COLOURS, filterset=colour_catalogue_filter(data=request.GET),
        headers=[_("Colour"), _("Series"), _("Colour code"), _("Surcharge (CNY)"),
                 _("On sale")],
        row=lambda colour: Row(reverse("catalogue:colour_detail", args=[colour.pk]),
                               colour.name,
                               [Cell(_("Series"), str(colour.series)),
                                Cell(_("Colour code"), colour.hex_code or "—"),
                                Cell(_("Surcharge (CNY)"), cny(colour.surcharge), num=True)],
                               colour.is_active),
        tabs=_core_tabs("colours"), list_url=reverse("catalogue:colour_list"),
        create_url=(reverse("catalogue:colour_create")
                    if can_edit_group_catalogue(request.user) else ""))


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def colour_create(request: HttpRequest) -> HttpResponse:
    return catalogue_create_page(
        request, kind=COLOURS, form=ColourForm(request.POST or None),
        create=lambda **values: services.colour_create(actor=request.user, **values),
        cancel_url=reverse("catalogue:colour_list"),
        detail_url=lambda colour: reverse("catalogue:colour_detail", args=[colour.pk]))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def colour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    colour = colour_get_for_catalogue(pk=pk)
    return catalogue_detail_page(
        request, kind=COLOURS, item=colour, can_edit=can_edit_group_catalogue(request.user),
        detail_url=reverse("catalogue:colour_detail", args=[pk]),
        active_url=reverse("catalogue:colour_active", args=[pk]), tabs=_core_tabs("colours"))


@require_POST
@role_required(Role.ADMIN)
def colour_active(request: HttpRequest, pk: int) -> HttpResponse:
    colour = colour_get_for_catalogue(pk=pk)
    return catalogue_active_action(
        request, kind=COLOURS, item=colour,
        detail_url=reverse("catalogue:colour_detail", args=[pk]),
        active_url=reverse("catalogue:colour_active", args=[pk]), tabs=_core_tabs("colours"))

