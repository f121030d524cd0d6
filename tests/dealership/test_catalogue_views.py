"""The group catalogue's screens: managers read trims and colours, the administrator
changes them; lists filter and paginate; refusals are 4xx with the form kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealership.enums import PriceKind, Role
from dealership.models import Colour, PriceChange, Trim
from dealership.services.catalogue import TRIM_FIELDS, catalogue_version, trim_update
from tests.factories import ColourFactory, SeriesFactory, TrimFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return english(make_user(Role.ADMIN))


def _version(trim: Trim) -> str:
    return catalogue_version(instance=Trim.objects.get(pk=trim.pk), fields=TRIM_FIELDS)


def _trim_post(trim: Trim, **changes) -> dict:
    data = {"series": trim.series_id, "name": trim.name, "model_year": trim.model_year,
            "powertrain": trim.powertrain, "msrp": str(trim.msrp), "seats": trim.seats,
            "version": _version(trim)}
    data.update(changes)
    return data


# --- Who may open what ---------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/catalogue/trims/", "/catalogue/colours/"])
def test_catalogue_lists_refuse_a_consultant(client, consultant, url):
    client.force_login(consultant)

    assert client.get(url).status_code == 403


def test_trim_create_refuses_a_manager(client, manager):
    series = SeriesFactory()
    client.force_login(manager)

    response = client.post("/catalogue/trims/new/", {
        "series": series.pk, "name": "X", "model_year": 2026, "powertrain": "ev",
        "msrp": "100000", "seats": 5})

    assert response.status_code == 403
    assert Trim.objects.count() == 0


def test_manager_reads_a_trim_and_its_price_history_without_a_form(client, manager, admin):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    trim_update(actor=admin, trim=trim, version=_version(trim), msrp=Decimal("199800"))
    client.force_login(english(manager))

    response = client.get(f"/catalogue/trims/{trim.pk}/")

    assert response.status_code == 200
    assert response.context["form"] is None
    assert [(c.old, c.new) for c in response.context["history"]] == [
        (Decimal("209800.00"), Decimal("199800.00"))]
    assert "¥209,800.00" in response.text and "¥199,800.00" in response.text


def test_manager_post_to_a_trim_is_refused_and_changes_nothing(client, manager):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    client.force_login(manager)

    response = client.post(f"/catalogue/trims/{trim.pk}/", _trim_post(trim, msrp="1"))

    assert response.status_code == 403
    trim.refresh_from_db()
    assert trim.msrp == Decimal("209800.00")
    assert PriceChange.objects.count() == 0


def test_manager_may_not_retire_a_trim(client, manager):
    trim = TrimFactory()
    client.force_login(manager)

    response = client.post(f"/catalogue/trims/{trim.pk}/on-sale/", {"is_active": "0"})

    assert response.status_code == 403
    assert Trim.objects.get(pk=trim.pk).is_active is True


def test_an_unknown_trim_is_404(client, admin):
    client.force_login(admin)

    assert client.get("/catalogue/trims/999999/").status_code == 404


# --- Lists ---------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_trim_list_query_count_is_constant(client, manager, count, django_assert_num_queries):
    TrimFactory.create_batch(count)
    client.force_login(manager)

    # session, user, the manager's store, count, rows, the series of the filter
    with django_assert_num_queries(6):
        response = client.get("/catalogue/trims/")

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_colour_list_query_count_is_constant(client, admin, count, django_assert_num_queries):
    ColourFactory.create_batch(count)
    client.force_login(admin)

    with django_assert_num_queries(5):
        response = client.get("/catalogue/colours/")

    assert len(response.context["rows"]) == count


def test_trim_list_filters_by_series_state_and_text(client, manager):
    camry = SeriesFactory(name="凯美瑞")
    rav4 = SeriesFactory(name="RAV4")
    wanted = TrimFactory(series=rav4, name="2.0L 风尚版")
    TrimFactory(series=rav4, name="2.0L 风尚版 旧", is_active=False)
    TrimFactory(series=rav4, name="2.5L 豪华版")
    TrimFactory(series=camry, name="2.0L 风尚版 凯美瑞")
    client.force_login(manager)

    response = client.get("/catalogue/trims/", {"series": rav4.pk, "state": "active",
                                                "q": "风尚"})

    assert [row.url for row in response.context["rows"]] == [
        f"/catalogue/trims/{wanted.pk}/"]


def test_trim_list_paginates_by_25(client, manager):
    TrimFactory.create_batch(26)
    client.force_login(manager)

    response = client.get("/catalogue/trims/", {"page": 2})

    assert len(response.context["rows"]) == 1
    assert response.context["page"].number == 2


def test_trim_list_htmx_renders_the_rows_only(client, manager):
    TrimFactory()
    client.force_login(manager)

    response = client.get("/catalogue/trims/", **HTMX)

    assert response.text.lstrip().startswith('<div id="catalogue-rows">')
    assert "<h1>" not in response.text


def test_trim_list_empty_state_says_who_adds(client, manager):
    client.force_login(english(manager))

    response = client.get("/catalogue/trims/")

    assert "Change the filters; the administrator adds new items." in response.text


# --- Create and edit -----------------------------------------------------------------------
def test_admin_creates_a_trim(client, admin):
    series = SeriesFactory()
    client.force_login(admin)

    response = client.post("/catalogue/trims/new/", {
        "series": series.pk, "name": "2.5L 豪华版", "model_year": 2026, "powertrain": "hev",
        "msrp": "239800", "seats": 5})

    trim = Trim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/trims/{trim.pk}/"
    assert PriceChange.objects.get().new == Decimal("239800.00")


def test_trim_create_form_errors_name_the_field_and_keep_the_input(client, admin):
    series = SeriesFactory()
    client.force_login(admin)

    response = client.post("/catalogue/trims/new/", {
        "series": series.pk, "name": "2.5L 豪华版", "model_year": 2026, "powertrain": "hev",
        "msrp": "0", "seats": 5})

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["msrp"]
    assert 'value="2.5L 豪华版"' in response.text
    assert Trim.objects.count() == 0


def test_trim_create_of_a_duplicate_is_a_field_error(client, admin):
    existing = TrimFactory(name="2.0L 风尚版", model_year=2025)
    client.force_login(admin)

    response = client.post("/catalogue/trims/new/", {
        "series": existing.series_id, "name": "2.0L 风尚版", "model_year": 2025,
        "powertrain": "hev", "msrp": "180000", "seats": 5})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["This series already has a 2025 trim of this name."]}
    assert Trim.objects.count() == 1


def test_admin_changes_a_trims_price(client, admin):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    client.force_login(admin)

    response = client.post(f"/catalogue/trims/{trim.pk}/", _trim_post(trim, msrp="205000"))

    assert response.status_code == 302
    trim.refresh_from_db()
    assert trim.msrp == Decimal("205000.00")
    change = PriceChange.objects.get()
    assert (change.item_kind, change.item_id, change.old, change.new, change.changed_by) == (
        PriceKind.TRIM, trim.pk, Decimal("209800.00"), Decimal("205000.00"), admin)


def test_a_stale_trim_edit_is_409_and_keeps_the_newer_price(client, admin, make_user):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    stale = _trim_post(trim, msrp="199000")
    trim_update(actor=make_user(Role.ADMIN, username="admin2"), trim=trim,
                version=stale["version"], msrp=Decimal("205000"))
    client.force_login(admin)

    response = client.post(f"/catalogue/trims/{trim.pk}/", stale)

    assert response.status_code == 409
    assert "Someone else changed" in response.context["form"].non_field_errors()[0]
    assert 'value="199000"' in response.text  # what was typed is not lost
    trim.refresh_from_db()
    assert trim.msrp == Decimal("205000.00")


def test_trim_edit_out_of_range_price_is_400(client, admin):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    client.force_login(admin)

    response = client.post(f"/catalogue/trims/{trim.pk}/", _trim_post(trim, msrp="10000001"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["msrp"]
    assert Trim.objects.get(pk=trim.pk).msrp == Decimal("209800.00")


# --- Retire and bring back -----------------------------------------------------------------
def test_admin_retires_a_trim_and_a_second_retirement_is_409(client, admin):
    trim = TrimFactory()
    client.force_login(admin)

    first = client.post(f"/catalogue/trims/{trim.pk}/on-sale/", {"is_active": "0"})
    second = client.post(f"/catalogue/trims/{trim.pk}/on-sale/", {"is_active": "0"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert second.context["refusal"] == f"“{trim}” is already retired."
    assert Trim.objects.get(pk=trim.pk).is_active is False


def test_retire_without_a_choice_is_400(client, admin):
    trim = TrimFactory()
    client.force_login(admin)

    response = client.post(f"/catalogue/trims/{trim.pk}/on-sale/", {"is_active": "maybe"})

    assert response.status_code == 400
    assert Trim.objects.get(pk=trim.pk).is_active is True


def test_admin_changes_a_colours_surcharge_and_stops_offering_it(client, admin):
    colour = ColourFactory(surcharge=Decimal("0"))
    from dealership.services.catalogue import COLOUR_FIELDS

    version = catalogue_version(instance=Colour.objects.get(pk=colour.pk), fields=COLOUR_FIELDS)
    client.force_login(admin)

    saved = client.post(f"/catalogue/colours/{colour.pk}/", {
        "series": colour.series_id, "name": colour.name, "hex_code": "#FFFFFF",
        "surcharge": "3000", "version": version})
    retired = client.post(f"/catalogue/colours/{colour.pk}/on-sale/", {"is_active": "0"})

    assert (saved.status_code, retired.status_code) == (302, 302)
    colour.refresh_from_db()
    assert (colour.surcharge, colour.hex_code, colour.is_active) == (
        Decimal("3000.00"), "#FFFFFF", False)
    assert list(PriceChange.objects.values_list("old", "new")) == [
        (Decimal("0.00"), Decimal("3000.00"))]


def test_django_admin_shows_a_trims_price_read_only(client, make_user):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    client.force_login(make_user(Role.ADMIN))

    change = client.get(f"/admin/dealership/trim/{trim.pk}/change/")
    add = client.get("/admin/dealership/trim/add/")

    assert change.status_code == 200
    assert 'name="msrp"' not in change.text  # prices change where their history is kept
    assert 'name="msrp"' in add.text
