"""The store's catalogue screens: accessories and value-added packages, each with its price
history. The manager edits their store's items; the administrator every store's. The
pages are the core's catalogue pages (dealership.views.catalogue), fed with this stage's
items, forms and services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from contracts.forms.catalogue import AccessoryForm, PackageForm
from contracts.selectors.catalogue import (
    accessory_catalogue_filter,
    accessory_get_for_user,
    package_catalogue_filter,
    package_get_for_user,
)
from contracts.services import catalogue as services
from dealership.enums import PriceKind
from dealership.permissions import can_edit_store_catalogue, role_required
from dealership.templatetags.money_tags import cny
from dealership.views.catalogue import (
    CATALOGUE_ROLES,
    CatalogueKind,
    Cell,
    Row,
    Tab,
    catalogue_active_action,
    catalogue_create_page,
    catalogue_detail_page,
    catalogue_list_page,
)


def _tabs(current: str) -> list[Tab]:
    return [Tab(reverse("contracts:accessory_list"), _("Accessories"), current == "accessories"),
            Tab(reverse("contracts:package_list"), _("Value-added packages"),
                current == "packages")]


def _on_sale(item) -> str:
    return _("On sale") if item.is_active else _("Retired")


ACCESSORIES = CatalogueKind(
    price_kind=PriceKind.ACCESSORY, price_field="price", fields=services.ACCESSORY_FIELDS,
    form_class=AccessoryForm, title=gettext_lazy("Accessories"),
    new_title=gettext_lazy("New accessory"),
    update=lambda *, item, **kwargs: services.accessory_update(accessory=item, **kwargs),
    set_active=lambda *, item, **kwargs: services.accessory_set_active(accessory=item,
                                                                       **kwargs),
    facts=lambda item: [(_("Store"), str(item.store)), (_("Code"), item.code),
                        (_("Price (CNY)"), cny(item.price)), (_("On sale"), _on_sale(item))],
)

PACKAGES = CatalogueKind(
    price_kind=PriceKind.PACKAGE, price_field="price", fields=services.PACKAGE_FIELDS,
    form_class=PackageForm, title=gettext_lazy("Value-added packages"),
    new_title=gettext_lazy("New value-added package"),
    update=lambda *, item, **kwargs: services.package_update(package=item, **kwargs),
    set_active=lambda *, item, **kwargs: services.package_set_active(package=item, **kwargs),
    facts=lambda item: [(_("Store"), str(item.store)),
                        (pgettext("package", "Kind"), item.get_kind_display()),
                        (_("Description"), item.description or "—"),
                        (_("Price (CNY)"), cny(item.price)), (_("On sale"), _on_sale(item))],
)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CATALOGUE_ROLES)
def accessory_list(request: HttpRequest) -> HttpResponse:
    return catalogue_list_page(
        request, kind=ACCESSORIES,
        filterset=accessory_catalogue_filter(user=request.user, data=request.GET),
        headers=[_("Accessory"), _("Store"), _("Code"), _("Price (CNY)"), _("On sale")],
        row=lambda item: Row(reverse("contracts:accessory_detail", args=[item.pk]), item.name,
                             [Cell(_("Store"), item.store.code), Cell(_("Code"), item.code),
                              Cell(_("Price (CNY)"), cny(item.price), num=True)],
                             item.is_active),
        tabs=_tabs("accessories"), list_url=reverse("contracts:accessory_list"),
        create_url=reverse("contracts:accessory_create"))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def accessory_create(request: HttpRequest) -> HttpResponse:
    form = AccessoryForm(request.POST or None, user=request.user)
    return catalogue_create_page(
        request, kind=ACCESSORIES, form=form,
        # The administrator chose the store on the form; a manager adds to their own.
        create=lambda store=None, **values: services.accessory_create(
            actor=request.user, store=store or request.user.store, **values),
        cancel_url=reverse("contracts:accessory_list"),
        detail_url=lambda item: reverse("contracts:accessory_detail", args=[item.pk]))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def accessory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = accessory_get_for_user(user=request.user, pk=pk)
    return catalogue_detail_page(
        request, kind=ACCESSORIES, item=item,
        can_edit=can_edit_store_catalogue(request.user, item.store_id),
        detail_url=reverse("contracts:accessory_detail", args=[pk]),
        active_url=reverse("contracts:accessory_active", args=[pk]),
        tabs=_tabs("accessories"), form_kwargs={"user": request.user})


@require_POST
@role_required(*CATALOGUE_ROLES)
def accessory_active(request: HttpRequest, pk: int) -> HttpResponse:
    item = accessory_get_for_user(user=request.user, pk=pk)
    return catalogue_active_action(
        request, kind=ACCESSORIES, item=item,
        detail_url=reverse("contracts:accessory_detail", args=[pk]),
        active_url=reverse("contracts:accessory_active", args=[pk]),
        tabs=_tabs("accessories"), form_kwargs={"user": request.user})


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CATALOGUE_ROLES)
def package_list(request: HttpRequest) -> HttpResponse:
    return catalogue_list_page(
        request, kind=PACKAGES,
        filterset=package_catalogue_filter(user=request.user, data=request.GET),
        headers=[_("Value-added package"), _("Store"), pgettext("package", "Kind"),
                 _("Price (CNY)"), _("On sale")],
        row=lambda item: Row(reverse("contracts:package_detail", args=[item.pk]), item.name,
                             [Cell(_("Store"), item.store.code),
                              Cell(pgettext("package", "Kind"), item.get_kind_display()),
                              Cell(_("Price (CNY)"), cny(item.price), num=True)],
                             item.is_active),
        tabs=_tabs("packages"), list_url=reverse("contracts:package_list"),
        create_url=reverse("contracts:package_create"))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def package_create(request: HttpRequest) -> HttpResponse:
    form = PackageForm(request.POST or None, user=request.user)
    return catalogue_create_page(
        request, kind=PACKAGES, form=form,
        # The administrator chose the store on the form; a manager adds to their own.
        create=lambda store=None, **values: services.package_create(
            actor=request.user, store=store or request.user.store, **values),
        cancel_url=reverse("contracts:package_list"),
        detail_url=lambda item: reverse("contracts:package_detail", args=[item.pk]))


@require_http_methods(["GET", "POST"])
@role_required(*CATALOGUE_ROLES)
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = package_get_for_user(user=request.user, pk=pk)
    return catalogue_detail_page(
        request, kind=PACKAGES, item=item,
        can_edit=can_edit_store_catalogue(request.user, item.store_id),
        detail_url=reverse("contracts:package_detail", args=[pk]),
        active_url=reverse("contracts:package_active", args=[pk]),
        tabs=_tabs("packages"), form_kwargs={"user": request.user})


@require_POST
@role_required(*CATALOGUE_ROLES)
def package_active(request: HttpRequest, pk: int) -> HttpResponse:
    item = package_get_for_user(user=request.user, pk=pk)
    return catalogue_active_action(
        request, kind=PACKAGES, item=item,
        detail_url=reverse("contracts:package_detail", args=[pk]),
        active_url=reverse("contracts:package_active", args=[pk]),
        tabs=_tabs("packages"), form_kwargs={"user": request.user})
