"""Quote screens: the builder and its live totals, a quote's page with approvals and
version history, revising, withdrawing, one version and its PDF, the list; who may open
and write what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.enums import ApprovalDecision, ApprovalStatus, ApprovalTier, QuoteStatus
from contracts.models import ApprovalRequest, Quote, QuoteVersion
from contracts.services import quotes as quote_services
from dealership.enums import Role, StockStatus
from tests.contracts.factories import (
    AccessoryFactory,
    ValuePackageFactory,
    make_contract,
    make_quote,
    pending_approval,
)
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    SeriesFactory,
    StockVehicleFactory,
    TrimFactory,
)
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

NEW = "/contracts/quotes/new/"
CALCULATE = "/contracts/quotes/calculate/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def trim():
    return TrimFactory()  # ¥209,800.00


@pytest.fixture
def colour(trim):
    return ColourFactory(series=trim.series, name="珍珠白", surcharge=Decimal("0"))


@pytest.fixture
def mats(store):
    return AccessoryFactory(store=store, code="MAT", name="全包围脚垫", price=Decimal("800.00"))


@pytest.fixture
def wash(store):
    return ValuePackageFactory(store=store, name="洗车卡", price=Decimal("600.00"))


def builder_data(trim, **overrides) -> dict:
    data = {
        "trim": str(trim.pk), "shown_trim": str(trim.pk), "colour": "", "vehicle": "",
        "discount": "2000", "floor_reason": "", "trade_in_make": "", "trade_in_model": "",
        "trade_in_year": "", "trade_in_mileage_km": "", "trade_in_condition": "",
        "trade_in_value": "0", "trade_in_appraiser": "", "insurance_estimate": "0",
        "fees": "0", "payment_plan": "full", "down_payment": "0", "loan_term_months": "",
        "loan_annual_rate": "", "note": "",
    }
    data.update(overrides)
    return data


def new_url(customer, lead=None) -> str:
    return f"{NEW}?customer={customer.pk}" + (f"&lead={lead.pk}" if lead else "")


# --- Builder: GET -------------------------------------------------------------------------
def test_builder_get_offers_the_catalogue_of_the_store(client, consultant, customer, trim,
                                                       mats, wash, store, other_store):
    foreign = AccessoryFactory(store=other_store, name="外店配件")
    client.force_login(english(consultant))

    response = client.get(new_url(customer))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{trim.pk}">凯美瑞 2025 {trim.name} · ¥209,800.00</option>' in html
    assert f'name="acc_{mats.pk}"' in html
    assert f'name="acc_{foreign.pk}"' not in html
    assert "洗车卡" in html
    assert response.context["hints"] == ["Choose a trim to see the price."]
    assert 'hx-post="/contracts/quotes/calculate/"' in html
    assert 'hx-trigger="input changed delay:300ms, change"' in html


def test_builder_lists_no_car_until_a_trim_is_chosen(client, consultant, customer, trim,
                                                     store):
    car = StockVehicleFactory(store=store, trim=trim)
    client.force_login(english(consultant))

    response = client.get(new_url(customer))

    html = response.content.decode()
    options = html.split('name="vehicle"')[1].split("</select>")[0]
    assert options.count("<option") == 1
    assert '<option value="" selected>Choose a trim first to see its cars</option>' in options
    assert car.vin[-6:] not in html
    # Without JavaScript, a button (in <noscript>) shows the chosen trim's cars.
    assert ('<noscript><button type="submit" name="refresh" value="1" class="button" '
            'data-testid="quote-refresh">') in html


def test_builder_refresh_shows_the_trims_cars_and_price_and_saves_nothing(
        client, consultant, customer, trim, store, other_store):
    car = StockVehicleFactory(store=store, trim=trim)
    StockVehicleFactory(store=store, trim=trim, status=StockStatus.SOLD)
    StockVehicleFactory(store=store, trim=TrimFactory())  # another trim's
    StockVehicleFactory(store=other_store, trim=trim)  # another store's
    client.force_login(english(consultant))

    # As a browser without JavaScript posts it: the trim chosen on a page drawn without one.
    response = client.post(new_url(customer), {**builder_data(trim, shown_trim=""),
                                               "refresh": "1"})

    html = response.content.decode()
    options = html.split('name="vehicle"')[1].split("</select>")[0]
    assert response.status_code == 200
    assert options.count("<option") == 2  # "none" and the one unsold car of the trim here
    assert f'<option value="{car.pk}">' in options
    totals = response.context["totals"]
    assert (totals.list_price, totals.vehicle_price) == (
        Decimal("209800.00"), Decimal("209800.00") - Decimal("2000"))  # MSRP − the discount
    assert response.context["hints"] == []
    assert (Quote.objects.count(), QuoteVersion.objects.count()) == (0, 0)


def test_builder_refresh_drops_a_car_of_the_former_trim(client, consultant, customer, trim,
                                                        store):
    other = TrimFactory()
    old_car = StockVehicleFactory(store=store, trim=trim)
    new_car = StockVehicleFactory(store=store, trim=other)
    client.force_login(english(consultant))

    response = client.post(new_url(customer), {
        **builder_data(other, shown_trim=str(trim.pk), vehicle=str(old_car.pk)),
        "refresh": "1"})

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {}
    assert form.cleaned_data["vehicle"] is None
    assert f'<option value="{new_car.pk}">' in response.content.decode()
    assert Quote.objects.count() == 0


def test_builder_refresh_of_a_revision_saves_no_version(client, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/revise/",
                           {**builder_data(trim, discount="3000"), "refresh": "1"})

    assert response.status_code == 200
    assert 'value="3000"' in response.content.decode()
    assert QuoteVersion.objects.filter(quote=quote).count() == 1


def test_builder_customer_of_a_teammate_is_not_found(client, teammate, customer):
    client.force_login(teammate)

    response = client.get(new_url(customer))

    assert response.status_code == 404


def test_builder_lead_of_another_customer_is_not_found(client, consultant, customer, store):
    lead = LeadFactory(store=store, owner=consultant)  # of another customer of theirs
    client.force_login(consultant)

    response = client.get(new_url(customer, lead))

    assert response.status_code == 404


def test_builder_is_forbidden_to_finance(client, make_user, customer):
    client.force_login(make_user(Role.FINANCE))

    response = client.get(new_url(customer))

    assert response.status_code == 403


# --- Builder: saving ----------------------------------------------------------------------
def test_builder_within_authority_saves_an_approved_quote(client, consultant, customer, trim,
                                                          colour, mats, wash, store):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    client.force_login(english(consultant))

    response = client.post(new_url(customer, lead), builder_data(
        trim, colour=str(colour.pk), discount="2000", **{f"acc_{mats.pk}": "2"},
        packages=[str(wash.pk)], insurance_estimate="5200", fees="1500"))

    quote = Quote.objects.get()
    version = quote.current_version
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/quotes/{quote.pk}/"
    assert quote.status == QuoteStatus.APPROVED
    assert (quote.customer, quote.lead, quote.consultant) == (customer, lead, consultant)
    assert (version.number, version.colour, version.discount) == (1, colour, Decimal("2000.00"))
    assert version.accessories == [{"id": mats.pk, "code": "MAT", "name": "全包围脚垫",
                                    "unit_price": "800.00", "quantity": 2,
                                    "amount": "1600.00"}]
    assert [p["name"] for p in version.packages] == ["洗车卡"]
    # 209,800 − 2,000 + 1,600 + 600 + 5,200 + 1,500
    assert version.out_the_door == Decimal("216700.00")
    assert ApprovalRequest.objects.count() == 0
    assert messages_of(response) == [
        f"Quote {quote.number} v1 saved: within your authority, approved."]


def test_builder_over_the_limit_asks_the_supervisor(client, consultant, customer, trim):
    client.force_login(english(consultant))

    response = client.post(new_url(customer), builder_data(trim, discount="5000"))

    quote = Quote.objects.get()
    approval = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert quote.status == QuoteStatus.PENDING
    assert (approval.tier, approval.status, approval.discount, approval.requested_by) == (
        ApprovalTier.SUPERVISOR, ApprovalStatus.PENDING, Decimal("5000.00"), consultant)
    assert approval.version == quote.current_version
    assert messages_of(response) == [
        f"Quote {quote.number} v1 saved and sent to the supervisor for approval."]


def test_builder_over_the_supervisor_limit_asks_the_manager(client, consultant, customer,
                                                           trim):
    client.force_login(english(consultant))

    client.post(new_url(customer), builder_data(trim, discount="8000.01"))

    approval = ApprovalRequest.objects.get()
    assert approval.tier == ApprovalTier.MANAGER


def test_builder_htmx_save_redirects_the_client(client, consultant, customer, trim):
    client.force_login(consultant)

    response = client.post(new_url(customer), builder_data(trim), **HTMX)

    quote = Quote.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/contracts/quotes/{quote.pk}/"


def test_builder_service_refusal_keeps_the_input_and_writes_nothing(client, consultant,
                                                                    customer, trim):
    client.force_login(english(consultant))

    response = client.post(new_url(customer), builder_data(
        trim, discount="20000", trade_in_value="50000", trade_in_make="大众",
        note="客户很有诚意"))

    form = response.context["form"]
    html = response.content.decode()
    assert response.status_code == 400
    assert form.errors["floor_reason"] == [
        "A discount above ¥16,784.00 is below the store's floor: record the reason."]
    assert form.errors["trade_in_model"] == ["A trade-in needs its model."]
    assert form.errors["trade_in_condition"] == ["Choose the trade-in's condition."]
    assert 'value="20000"' in html and 'value="大众"' in html and "客户很有诚意" in html
    assert QuoteVersion.objects.count() == 0
    assert Quote.objects.count() == 0


def test_builder_form_error_is_400_with_the_input_kept(client, consultant, customer, trim):
    client.force_login(english(consultant))

    response = client.post(new_url(customer), builder_data(trim, discount="2千"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["discount"] == ["Enter a number."]
    assert html.lstrip().startswith('<form id="quote-builder"')
    assert 'value="2千"' in html
    assert QuoteVersion.objects.count() == 0


def test_builder_colour_of_another_series_is_refused(client, consultant, customer, trim):
    other = ColourFactory(series=SeriesFactory(name="汉兰达"), name="墨黑")
    client.force_login(english(consultant))

    response = client.post(new_url(customer), builder_data(trim, colour=str(other.pk)))

    assert response.status_code == 400
    assert response.context["form"].errors["colour"] == [
        "This colour is not offered for this trim."]


def test_builder_amounts_too_large_for_the_totals_are_refused(client, consultant, customer,
                                                              trim):
    # Each fits a money column alone; added up into the out-the-door price they do not.
    client.force_login(english(consultant))

    response = client.post(new_url(customer), builder_data(
        trim, insurance_estimate="9999999999.99", fees="9999999999.99"))

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["insurance_estimate"] == [
        "Ensure that there are no more than 10 digits in total."]
    assert errors["fees"] == ["Ensure that there are no more than 10 digits in total."]
    assert 'value="9999999999.99"' in response.content.decode()
    assert Quote.objects.count() == 0


def test_builder_accessory_taken_off_sale_meanwhile_is_not_dropped_silently(
        client, consultant, customer, trim, mats):
    client.force_login(english(consultant))
    mats.is_active = False
    mats.save(update_fields=["is_active"])

    response = client.post(new_url(customer), builder_data(trim, **{f"acc_{mats.pk}": "2"}))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "An accessory you chose is no longer on sale: check the accessories, then save again."]
    assert Quote.objects.count() == 0


def test_builder_quantity_zero_of_an_accessory_taken_off_sale_is_ignored(
        client, consultant, customer, trim, mats):
    client.force_login(consultant)
    mats.is_active = False
    mats.save(update_fields=["is_active"])

    response = client.post(new_url(customer), builder_data(trim, **{f"acc_{mats.pk}": "0"}))

    assert response.status_code == 302
    assert Quote.objects.get().current_version.accessories == []


def test_builder_answers_vary_on_htmx(client, consultant, customer, trim):
    client.force_login(consultant)

    response = client.get(new_url(customer))

    assert "HX-Request" in response["Vary"]


# --- Calculate (htmx) ---------------------------------------------------------------------
def test_calculate_loan_shows_the_monthly_payment(client, consultant, trim):
    client.force_login(english(consultant))

    response = client.post(CALCULATE, builder_data(
        trim, discount="9800", payment_plan="loan", down_payment="50000",
        loan_term_months="36", loan_annual_rate="3.5"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<aside id="quote-totals"')
    assert '<dd data-testid="total-vehicle-price">¥200,000.00</dd>' in html
    assert '<dd data-testid="total-loan-principal">¥150,000.00</dd>' in html
    assert ('<dd class="quote-sum" data-testid="total-monthly-payment">¥4,395.31 × 36 months'
            '</dd>') in html
    assert '<dd data-testid="total-interest">¥8,231.16</dd>' in html
    assert '<p class="quote-tier quote-tier-manager" data-testid="quote-tier">' \
           "Needs manager approval</p>" in html
    assert "quote-floor" not in html
    assert 'id="car-options"' not in html  # the trim did not change


def test_calculate_tiers_by_author(client, consultant, supervisor, trim):
    client.force_login(english(consultant))
    within = client.post(CALCULATE, builder_data(trim, discount="3000"))
    over = client.post(CALCULATE, builder_data(trim, discount="3000.01"))
    client.force_login(english(supervisor))
    by_supervisor = client.post(CALCULATE, builder_data(trim, discount="3000.01"))

    assert 'data-testid="quote-tier">Within your authority<' in within.content.decode()
    assert 'data-testid="quote-tier">Needs supervisor approval<' in over.content.decode()
    assert 'data-testid="quote-tier">Within your authority<' in by_supervisor.content.decode()


def test_calculate_below_the_floor_asks_for_a_reason(client, consultant, trim):
    client.force_login(english(consultant))

    response = client.post(CALCULATE, builder_data(trim, discount="16784.01"))

    html = response.content.decode()
    assert "Below the floor: reason required" in html
    assert ("<li>A discount above ¥16,784.00 is below the store&#x27;s floor: record the "
            "reason.</li>") in html


def test_calculate_bad_input_shows_what_it_can_and_a_hint(client, consultant, trim):
    client.force_login(english(consultant))

    response = client.post(CALCULATE, builder_data(
        trim, discount="abc", fees="-5", payment_plan="loan", loan_term_months="36",
        loan_annual_rate=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-testid="total-list-price">¥209,800.00</dd>' in html
    # The bad discount and fees count as nothing meanwhile.
    assert ('<dd class="quote-sum" data-testid="total-out-the-door">¥209,800.00</dd>'
            in html)
    assert ('<ul class="quote-hints" data-testid="quote-hints">\n'
            "      <li>Discount: Enter a number.</li>"
            "<li>Registration and fees: Ensure this value is greater than or equal to 0.</li>"
            "<li>Enter an annual rate from 0 to 36 %.</li>\n    </ul>") in html
    assert "total-monthly-payment" not in html  # no rate, no monthly figure


def test_calculate_without_a_trim_asks_for_one(client, consultant, trim):
    client.force_login(english(consultant))

    response = client.post(CALCULATE, {**builder_data(trim), "trim": "", "shown_trim": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>Choose a trim to see the price.</li>" in html
    assert "total-list-price" not in html


def test_calculate_new_trim_brings_its_colours_and_stock(client, consultant, store, trim,
                                                         colour):
    suv = TrimFactory(series=SeriesFactory(name="汉兰达"), msrp=Decimal("269800.00"))
    black = ColourFactory(series=suv.series, name="墨黑", surcharge=Decimal("3000"))
    car = StockVehicleFactory(store=store, trim=suv, colour=black)
    StockVehicleFactory(store=store, trim=suv, status=StockStatus.SOLD)
    client.force_login(english(consultant))

    response = client.post(CALCULATE, {**builder_data(trim, colour=str(colour.pk)),
                                       "trim": str(suv.pk), "shown_trim": str(trim.pk)},
                           **HTMX)

    html = response.content.decode()
    totals, options = html.split('<div id="car-options" hx-swap-oob="true">')
    assert '<dd data-testid="total-list-price">¥269,800.00</dd>' in totals
    assert f'<input type="hidden" name="shown_trim" value="{suv.pk}">' in options
    # 珍珠白 is not offered for the new series: dropped; the new series' colour offered.
    assert '<option value="" selected>Not chosen yet</option>' in options
    assert f'<option value="{black.pk}">墨黑 (+¥3,000.00)</option>' in options
    assert "珍珠白" not in options
    assert f'<option value="{car.pk}">' in options
    # Colours: "not chosen" and 墨黑; vehicles: "none" and the one unsold car.
    assert options.count("<option value=") == 4


def test_calculate_is_forbidden_to_finance(client, make_user, trim):
    client.force_login(make_user(Role.FINANCE))

    response = client.post(CALCULATE, builder_data(trim))

    assert response.status_code == 403
    assert (Quote.objects.count(), QuoteVersion.objects.count()) == (0, 0)
    assert "¥" not in response.content.decode()  # no figure worked out for them


# --- A quote's page -----------------------------------------------------------------------
def test_detail_shows_figures_approvals_and_margin_for_the_manager(client, consultant,
                                                                   supervisor, manager,
                                                                   customer, store):
    trim = TrimFactory()
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("180000.00"))
    quote = make_quote(consultant, customer, discount=Decimal("5000"), trim=trim)
    quote_services.approval_decide(actor=supervisor, approval=pending_approval(quote),
                                   decision=ApprovalDecision.APPROVE, comment="客户老朋友")
    client.force_login(english(manager))

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge quote-approved" data-testid="quote-status">Approved</span>' in html
    assert '<dd data-testid="quote-cost">¥180,000.00</dd>' in html
    assert 'data-testid="quote-margin-amount">¥24,800.00</dd>' in html
    assert "Decided by 赵主管 on" in html and "客户老朋友" in html
    assert "Asked by 王芳 on" in html
    assert 'data-testid="revise-quote"' in html  # the manager may revise the store's quotes


def test_detail_hides_cost_from_the_consultant(client, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(consultant)

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["cost"] is None
    assert 'data-testid="quote-cost"' not in html
    assert f'href="/contracts/quotes/{quote.pk}/revise/"' in html
    assert f'href="/contracts/quotes/{quote.pk}/v1/pdf/"' in html


def test_detail_finance_may_view_but_not_write(client, make_user, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(make_user(Role.FINANCE))

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["can_write"] is False
    assert "/revise/" not in html and "/withdraw/" not in html
    assert 'data-testid="quote-cost"' in html


def test_detail_of_a_teammates_quote_is_not_found(client, teammate, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(teammate)

    assert client.get(f"/contracts/quotes/{quote.pk}/").status_code == 404
    assert client.get(f"/contracts/quotes/{quote.pk}/revise/").status_code == 404
    assert client.post(f"/contracts/quotes/{quote.pk}/withdraw/",
                       {"reason": "x"}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_detail_is_not_found_for_another_store(client, outsider, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(outsider)

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    assert response.status_code == 404


def test_detail_supervisor_sees_the_teams_quote(client, supervisor, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(supervisor)

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    assert response.status_code == 200
    assert response.context["quote"] == quote


def test_detail_is_forbidden_to_the_receptionist(client, make_user, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    assert response.status_code == 403


def test_detail_approved_quote_offers_the_contract_draft(client, consultant, customer):
    quote = make_quote(consultant, customer)
    draft_url = reverse("contracts:contract_create", kwargs={"pk": quote.pk})
    client.force_login(consultant)

    response = client.get(f"/contracts/quotes/{quote.pk}/")

    html = response.content.decode()
    assert response.context["can_draft_contract"] is True
    assert f'<form method="post" action="{draft_url}" class="quote-action">' in html


def test_detail_contracted_quote_links_its_contract(client, consultant, manager, customer):
    contract = make_contract(consultant, customer, manager=manager)
    client.force_login(english(consultant))

    response = client.get(f"/contracts/quotes/{contract.quote_id}/")

    html = response.content.decode()
    assert response.context["contracts"] == [contract]
    assert f'<li><a href="/contracts/{contract.pk}/">' in html
    assert 'data-testid="draft-contract"' not in html
    assert 'data-testid="revise-quote"' not in html


@pytest.mark.parametrize("count", [1, 3])
def test_detail_query_count_is_constant(client, consultant, customer, trim, count,
                                        django_assert_num_queries):
    quote = make_quote(consultant, customer, trim=trim)
    for n in range(2, count + 1):
        quote_services.quote_revise(actor=consultant, quote=quote, data=quote_services.QuoteInput(
            trim=trim, discount=Decimal(100 * n)))
    client.force_login(consultant)

    with django_assert_num_queries(9):
        response = client.get(f"/contracts/quotes/{quote.pk}/")

    assert len(response.context["versions"]) == count


# --- Revise -------------------------------------------------------------------------------
def test_revise_get_is_prefilled_from_the_current_version(client, consultant, customer, trim,
                                                          mats):
    quote = make_quote(consultant, customer, trim=trim, discount=Decimal("1500"),
                       accessories=[(mats, 3)], note="首次报价")
    client.force_login(consultant)

    response = client.get(f"/contracts/quotes/{quote.pk}/revise/")

    form = response.context["form"]
    assert response.status_code == 200
    assert form["discount"].value() == Decimal("1500.00")
    assert form[f"acc_{mats.pk}"].value() == 3
    assert form["trim"].value() == trim.pk
    assert response.context["totals"] == quote.current_version
    assert 'data-testid="total-out-the-door">¥210,700.00</dd>' in response.content.decode()


def test_revise_writes_v2_listed_with_its_changes(client, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim, discount=Decimal("1500"))
    client.force_login(english(consultant))

    response = client.post(f"/contracts/quotes/{quote.pk}/revise/", builder_data(
        trim, discount="2500", payment_plan="loan", down_payment="60000",
        loan_term_months="24", loan_annual_rate="2.99"), follow=True)

    quote.refresh_from_db()
    html = response.content.decode()
    assert quote.current_version.number == 2
    assert quote.status == QuoteStatus.APPROVED
    assert messages_of(response) == [
        f"Quote {quote.number} v2 saved: within your authority, approved."]
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert ('<li><span class="field-name">Discount</span>: <del>¥1,500.00</del> → '
            '<ins>¥2,500.00</ins></li>') in html
    assert ('<li><span class="field-name">Payment</span>: <del>Full payment</del> → '
            '<ins>Loan</ins></li>') in html
    assert ('<li><span class="field-name">Annual rate (%)</span>: <del>—</del> → '
            '<ins>2.99 %</ins></li>') in html
    assert f'href="/contracts/quotes/{quote.pk}/v1/"' in html


def test_revise_over_the_limit_asks_again(client, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim, discount=Decimal("1500"))
    client.force_login(english(consultant))

    response = client.post(f"/contracts/quotes/{quote.pk}/revise/",
                           builder_data(trim, discount="9000"))

    quote.refresh_from_db()
    assert response.status_code == 302
    assert quote.status == QuoteStatus.PENDING
    assert pending_approval(quote).tier == ApprovalTier.MANAGER
    assert messages_of(response) == [
        f"Quote {quote.number} v2 saved and sent to the manager for approval."]


def test_revise_refused_input_writes_no_version(client, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)
    client.force_login(english(consultant))

    response = client.post(f"/contracts/quotes/{quote.pk}/revise/", builder_data(
        trim, payment_plan="loan", loan_term_months="18", loan_annual_rate="3"))

    assert response.status_code == 400
    assert response.context["form"].errors["loan_term_months"] == [
        "Select a valid choice. 18 is not one of the available choices."]
    assert quote.versions.count() == 1


def test_revise_withdrawn_quote_goes_back_with_a_message(client, consultant, customer):
    quote = make_quote(consultant, customer)
    quote_services.quote_withdraw(actor=consultant, quote=quote, reason="客户去了别家")
    client.force_login(english(consultant))

    response = client.get(f"/contracts/quotes/{quote.pk}/revise/")

    assert response.status_code == 302
    assert response["Location"] == f"/contracts/quotes/{quote.pk}/"
    assert messages_of(response) == ["This quote is Withdrawn and can no longer change."]


def test_revise_is_forbidden_to_finance(client, make_user, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(make_user(Role.FINANCE))

    response = client.get(f"/contracts/quotes/{quote.pk}/revise/")

    assert response.status_code == 403


# --- Withdraw -----------------------------------------------------------------------------
def test_withdraw_with_a_reason(client, consultant, customer):
    quote = make_quote(consultant, customer, discount=Decimal("5000"))
    client.force_login(english(consultant))

    response = client.post(f"/contracts/quotes/{quote.pk}/withdraw/",
                           {"reason": "客户决定再等等"})

    quote.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/quotes/{quote.pk}/"
    assert quote.status == QuoteStatus.WITHDRAWN
    assert ApprovalRequest.objects.get().status == ApprovalStatus.WITHDRAWN
    assert messages_of(response) == [f"Quote {quote.number} withdrawn."]


def test_withdraw_without_a_reason_is_refused(client, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(english(consultant))

    response = client.post(f"/contracts/quotes/{quote.pk}/withdraw/", {"reason": " "}, **HTMX)

    quote.refresh_from_db()
    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<section class="card" '
                                                         'id="quote-actions"')
    assert response.context["withdraw_form"].errors["reason"] == [
        "Say why the quote is withdrawn."]
    assert quote.status == QuoteStatus.APPROVED


def test_withdraw_is_forbidden_to_finance(client, make_user, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(make_user(Role.FINANCE))

    response = client.post(f"/contracts/quotes/{quote.pk}/withdraw/", {"reason": "x"})

    quote.refresh_from_db()
    assert response.status_code == 403
    assert quote.status == QuoteStatus.APPROVED


# --- Versions -----------------------------------------------------------------------------
def test_version_page_shows_that_version(client, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim, discount=Decimal("1000"))
    quote_services.quote_revise(actor=consultant, quote=quote, data=quote_services.QuoteInput(
        trim=trim, discount=Decimal("1200")))
    client.force_login(english(consultant))

    response = client.get(f"/contracts/quotes/{quote.pk}/v1/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["version"].number == 1
    assert response.context["is_current"] is False
    assert '<dd data-testid="version-discount">−¥1,000.00</dd>' in html
    assert "superseded" in html


def test_version_unknown_number_is_not_found(client, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(consultant)

    response = client.get(f"/contracts/quotes/{quote.pk}/v9/")

    assert response.status_code == 404


def test_version_of_another_consultant_is_not_found(client, teammate, consultant, customer):
    quote = make_quote(consultant, customer)
    client.force_login(teammate)

    response = client.get(f"/contracts/quotes/{quote.pk}/v1/")

    assert response.status_code == 404


def test_version_pdf_is_served_inline(client, consultant, customer):
    # Needs contracts/documents.py (quote_pdf), written alongside these screens.
    quote = make_quote(consultant, customer)
    client.force_login(consultant)

    response = client.get(f"/contracts/quotes/{quote.pk}/v1/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{quote.number}-v1.pdf"'
    assert response.content.startswith(b"%PDF")


# --- List ---------------------------------------------------------------------------------
def test_list_consultant_sees_own_quotes_newest_first(client, consultant, teammate, customer,
                                                      store):
    older = make_quote(consultant, customer)
    newer = make_quote(consultant, CustomerFactory(store=store, owner=consultant))
    make_quote(teammate, CustomerFactory(store=store, owner=teammate))
    client.force_login(consultant)

    response = client.get("/contracts/quotes/")

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older]
    assert "consultant" not in response.context["filter"].form.fields


def test_list_filters_by_status_and_consultant(client, manager, consultant, teammate,
                                               customer, store):
    make_quote(consultant, customer)
    pending = make_quote(consultant, CustomerFactory(store=store, owner=consultant),
                         discount=Decimal("5000"))
    make_quote(teammate, CustomerFactory(store=store, owner=teammate),
               discount=Decimal("5000"))
    client.force_login(manager)

    response = client.get(f"/contracts/quotes/?status=pending&consultant={consultant.pk}")

    assert list(response.context["page"].object_list) == [pending]


def test_list_htmx_returns_the_rows(client, consultant, customer):
    make_quote(consultant, customer)
    client.force_login(consultant)

    response = client.get("/contracts/quotes/?status=approved", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quote-rows">')
    assert "<html" not in html


def test_list_finance_sees_the_store(client, make_user, consultant, teammate, customer,
                                     store, outsider, other_store):
    mine = make_quote(consultant, customer)
    theirs = make_quote(teammate, CustomerFactory(store=store, owner=teammate))
    make_quote(outsider, CustomerFactory(store=other_store, owner=outsider))
    client.force_login(make_user(Role.FINANCE))

    response = client.get("/contracts/quotes/")

    assert sorted(q.pk for q in response.context["page"].object_list) == [mine.pk, theirs.pk]


def test_list_is_forbidden_to_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/contracts/quotes/")

    assert response.status_code == 403


def test_list_consultant_filter_offers_the_administrator_every_stores_sellers(
        client, make_user, consultant, supervisor, outsider):
    client.force_login(make_user(Role.ADMIN))

    response = client.get("/contracts/quotes/")

    offered = set(response.context["filter"].filters["consultant"].queryset)
    assert offered == {consultant, supervisor, outsider}


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_is_constant(client, supervisor, consultant, store, count,
                                      django_assert_num_queries):
    for _ in range(count):
        make_quote(consultant, CustomerFactory(store=store, owner=consultant),
                   colour=None)
    client.force_login(supervisor)

    with django_assert_num_queries(6):
        response = client.get("/contracts/quotes/")

    assert len(response.context["page"].object_list) == count


# --- Entry points -------------------------------------------------------------------------
def test_customer_page_links_the_builder_for_sellers_only(client, consultant, make_user,
                                                          customer):
    client.force_login(consultant)
    seller = client.get(f"/customers/{customer.pk}/").content.decode()
    client.force_login(make_user(Role.FINANCE))
    finance = client.get(f"/customers/{customer.pk}/").content.decode()

    assert f'href="/contracts/quotes/new/?customer={customer.pk}"' in seller
    assert 'data-testid="new-quote"' not in finance


def test_lead_page_links_the_builder_with_the_lead(client, consultant, customer, store):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    client.force_login(consultant)

    html = client.get(f"/leads/{lead.pk}/").content.decode()

    assert (f'href="/contracts/quotes/new/?customer={customer.pk}&amp;lead={lead.pk}"'
            in html)


def test_detail_of_an_expired_approved_quote_asks_for_a_new_version(client, consultant,
                                                                    customer):
    from tests.contracts.factories_services import expire

    quote = expire(make_quote(consultant, customer, discount=Decimal("1000")))
    client.force_login(english(consultant))

    html = client.get(reverse("contracts:quote_detail", args=[quote.pk])).content.decode()

    assert 'data-testid="quote-expired"' in html
    assert "This offer has expired." in html
    assert 'data-testid="draft-contract"' not in html
    assert 'data-testid="revise-quote"' in html


def test_detail_of_a_valid_approved_quote_offers_the_contract(client, consultant, customer):
    quote = make_quote(consultant, customer, discount=Decimal("1000"))
    client.force_login(english(consultant))

    html = client.get(reverse("contracts:quote_detail", args=[quote.pk])).content.decode()

    assert 'data-testid="quote-expired"' not in html
    assert 'data-testid="draft-contract"' in html
