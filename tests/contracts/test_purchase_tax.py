"""Vehicle purchase tax (车辆购置税) in quotes and contracts, and the builder's trim labels.

The tax is price ÷ 1.13 × 10 %, rounded half-up to the fen once. Worked by hand:

    price      price ÷ 1.13          × 10 %             full
    400,000    353,982.300884…       35,398.2300884…    35,398.23
    200,000    176,991.150442…       17,699.1150442…    17,699.12
    250,000    221,238.938053…       22,123.8938053…    22,123.89
    339,000    300,000.000000        30,000.0000000     30,000.00   (the 2024–25 cap)
    339,100    300,088.495575…       30,008.8495575…    30,008.85
    150,000    132,743.362831…       13,274.3362831…    13,274.34
    209,800    185,663.716814…       18,566.3716814…    18,566.37
    204,800    181,238.938053…       18,123.8938053…    18,123.89

New-energy relief (MOF/STA/MIIT 2023 No. 10): 2024–2025 all of it, at most 30,000;
2026–2027 half of it (rounded half-up), at most 15,000; from 2028 none.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from unittest import mock

import pytest
from django.utils import timezone, translation

from contracts.enums import QuoteStatus
from contracts.forms.quotes import QuoteForm
from contracts.models import Contract, DiscountPolicy
from contracts.services import contracts as contract_services
from contracts.services import pricing
from contracts.tax import NO_TAX, PurchaseTax, is_nev, purchase_tax
from dealership.enums import Powertrain, Role
from dealership.models import AuditEntry
from tests.contracts.factories import approved_quote, make_quote
from tests.contracts.factories_services import set_policy
from tests.factories import SeriesFactory, TrimFactory
from tests.helpers import HTMX, english

CALCULATE = "/contracts/quotes/calculate/"
EV, PHEV, EREV, HEV, ICE = (Powertrain.EV, Powertrain.PHEV, Powertrain.EREV, Powertrain.HEV,
                            Powertrain.ICE)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def tax(price: str, powertrain: str, on: str) -> tuple[D, D, D]:
    result = purchase_tax(price=D(price), powertrain=powertrain, on=day(on))
    return result.full, result.relief, result.due


# --- The pure function ---------------------------------------------------------------------
@pytest.mark.parametrize(("price", "powertrain", "on", "expected"), [
    # 2024–2025: exempt up to 30,000.
    ("400000", EV, "2025-12-31", ("35398.23", "30000.00", "5398.23")),
    ("200000", EV, "2025-06-01", ("17699.12", "17699.12", "0.00")),
    ("200000", EV, "2024-01-01", ("17699.12", "17699.12", "0.00")),
    ("339000", EV, "2025-01-01", ("30000.00", "30000.00", "0.00")),   # exactly at the cap
    ("339100", EV, "2025-01-01", ("30008.85", "30000.00", "8.85")),   # just over it
    # 2026–2027: halved, the reduction at most 15,000.
    ("400000", EV, "2026-01-01", ("35398.23", "15000.00", "20398.23")),
    ("200000", EV, "2026-06-01", ("17699.12", "8849.56", "8849.56")),
    ("200000", EV, "2027-12-31", ("17699.12", "8849.56", "8849.56")),
    ("339000", EREV, "2026-03-01", ("30000.00", "15000.00", "15000.00")),  # half = the cap
    # half of 22,123.89 is 11,061.945: rounded half-up to 11,061.95.
    ("250000", PHEV, "2026-03-01", ("22123.89", "11061.95", "11061.94")),
    # From 2028: the full tax.
    ("200000", EV, "2028-01-01", ("17699.12", "0.00", "17699.12")),
    # Not new-energy: the full tax whatever the date.
    ("200000", HEV, "2025-06-01", ("17699.12", "0.00", "17699.12")),
    ("150000", ICE, "2026-01-01", ("13274.34", "0.00", "13274.34")),
])
def test_purchase_tax_by_date_powertrain_and_cap(price, powertrain, on, expected):
    assert tax(price, powertrain, on) == tuple(D(value) for value in expected)


def test_purchase_tax_the_day_the_halving_starts_differs_from_the_day_before():
    before = tax("300000", EV, "2025-12-31")
    after = tax("300000", EV, "2026-01-01")

    # 300,000 ÷ 1.13 × 10 % = 26,548.6725… → 26,548.67; half 13,274.335 → 13,274.34.
    assert before == (D("26548.67"), D("26548.67"), D("0.00"))
    assert after == (D("26548.67"), D("13274.34"), D("13274.33"))


def test_purchase_tax_of_nothing_is_nothing():
    assert purchase_tax(price=D("0"), powertrain=EV, on=day("2026-01-01")) == NO_TAX


def test_only_battery_plug_in_and_range_extender_cars_qualify():
    assert [p for p in Powertrain.values if is_nev(p)] == [PHEV, EV, EREV]


def test_purchase_tax_a_rate_and_rules_given_by_the_caller():
    result = purchase_tax(price=D("113000"), powertrain=EV, on=day("2030-01-01"), rules=(),
                          rate=D("0.05"))

    assert result == PurchaseTax(full=D("5000.00"), relief=D("0.00"), due=D("5000.00"))


def test_totals_add_the_tax_due_to_the_out_the_door_price():
    totals = pricing.quote_totals(
        list_price=D("209800"), discount=D("9800"), fees=D("500"), trade_in_value=D("1000"),
        tax=PurchaseTax(full=D("17699.12"), relief=D("8849.56"), due=D("8849.56")))

    # 200,000 + 500 + 8,849.56 = 209,349.56; less the trade-in 208,349.56.
    assert (totals.out_the_door, totals.amount_due) == (D("209349.56"), D("208349.56"))
    assert (totals.purchase_tax_included, totals.purchase_tax, totals.purchase_tax_relief) == (
        True, D("8849.56"), D("8849.56"))


def test_totals_without_the_tax_leave_it_out():
    totals = pricing.quote_totals(list_price=D("209800"), discount=D("9800"))

    assert (totals.out_the_door, totals.purchase_tax_included, totals.purchase_tax) == (
        D("200000.00"), False, D("0.00"))


# --- Quotes and contracts ------------------------------------------------------------------

def at(iso_day: str):
    """The clock at noon in Shanghai (04:00 UTC) of `iso_day`."""
    moment = dt.datetime.fromisoformat(f"{iso_day}T04:00:00+00:00")
    return mock.patch.object(timezone, "now", return_value=moment)


@pytest.fixture
def bev(db):
    return TrimFactory(series=SeriesFactory(name="bZ4X"), name="长续航 Pro",
                       powertrain=EV, msrp=D("209800.00"))


@pytest.mark.django_db
def test_policy_off_by_default_leaves_the_tax_out(store, consultant, customer, bev):
    with at("2026-03-02"):
        quote = make_quote(consultant, customer, discount=D("2000"), trim=bev)

    version = quote.current_version
    assert DiscountPolicy.for_store(store).show_purchase_tax is False
    assert (version.purchase_tax_included, version.purchase_tax,
            version.purchase_tax_relief, version.out_the_door) == (
        False, D("0.00"), D("0.00"), D("207800.00"))


@pytest.mark.django_db
def test_quote_of_a_bev_in_2026_has_half_the_tax_in_its_out_the_door(store, consultant,
                                                                      customer, bev):
    set_policy(store, show_purchase_tax=True)

    with at("2026-03-02"):
        quote = make_quote(consultant, customer, discount=D("9800"), trim=bev,
                           fees=D("500"))

    version = quote.current_version
    version.refresh_from_db()
    # Vehicle price 200,000: full 17,699.12, half relieved; 200,000 + 500 + 8,849.56.
    assert (version.purchase_tax_included, version.purchase_tax_full, version.purchase_tax,
            version.purchase_tax_relief) == (True, D("17699.12"), D("8849.56"), D("8849.56"))
    assert (version.out_the_door, version.amount_due) == (D("209349.56"), D("209349.56"))


@pytest.mark.django_db
def test_quote_of_a_hybrid_pays_the_full_tax(store, consultant, customer):
    set_policy(store, show_purchase_tax=True)
    hybrid = TrimFactory(powertrain=HEV, msrp=D("209800.00"))

    with at("2025-06-02"):
        quote = make_quote(consultant, customer, discount=D("0"), trim=hybrid)

    version = quote.current_version
    # 209,800 ÷ 1.13 × 10 % = 18,566.37; 209,800 + 18,566.37 = 228,366.37.
    assert (version.purchase_tax, version.purchase_tax_relief, version.out_the_door) == (
        D("18566.37"), D("0.00"), D("228366.37"))


@pytest.mark.django_db
def test_the_tax_follows_the_discount(store, consultant, customer, bev):
    set_policy(store, show_purchase_tax=True)

    with at("2028-02-01"):
        quote = make_quote(consultant, customer, discount=D("5000"), trim=bev)

    # From 2028 no relief: 204,800 ÷ 1.13 × 10 % = 18,123.89.
    version = quote.current_version
    assert (version.purchase_tax, version.out_the_door) == (D("18123.89"), D("222923.89"))


@pytest.mark.django_db
def test_a_contract_keeps_its_quote_versions_tax_when_the_policy_changes(
        store, consultant, customer, bev):
    set_policy(store, show_purchase_tax=True)
    with at("2025-12-31"):
        quote = approved_quote(consultant, customer, discount=D("2000"), trim=bev)
    assert quote.status == QuoteStatus.APPROVED

    set_policy(store, show_purchase_tax=False)
    with at("2026-01-02"):
        contract = contract_services.contract_draft(actor=consultant, quote=quote)

    contract = Contract.objects.get(pk=contract.pk)
    # 2025: 207,800 ÷ 1.13 × 10 % = 18,389.38, all of it relieved.
    assert (contract.purchase_tax_included, contract.purchase_tax, contract.purchase_tax_relief,
            contract.total_price, contract.vehicle_price) == (
        True, D("0.00"), D("18389.38"), D("207800.00"), D("207800.00"))


@pytest.mark.django_db
def test_the_administrator_turns_the_tax_on_and_it_is_audited(client, store, make_user):
    admin = make_user(Role.ADMIN)
    client.force_login(english(admin))

    response = client.post(f"/contracts/policy/?store={store.code}", {
        "consultant_limit": "3000", "supervisor_limit": "8000", "floor_pct": "8",
        "quote_valid_days": "7", "contract_terms": "", "show_purchase_tax": "on"})

    policy = DiscountPolicy.objects.get(store=store)
    assert response.status_code == 302
    assert policy.show_purchase_tax is True
    entry = AuditEntry.objects.filter(object_id=str(policy.pk)).latest("id")
    assert entry.changes["show_purchase_tax"] == [False, True]


# --- The builder ---------------------------------------------------------------------------
def builder_data(trim, **overrides) -> dict:
    data = {
        "trim": str(trim.pk), "shown_trim": str(trim.pk), "colour": "", "vehicle": "",
        "discount": "0", "floor_reason": "", "trade_in_make": "", "trade_in_model": "",
        "trade_in_year": "", "trade_in_mileage_km": "", "trade_in_condition": "",
        "trade_in_value": "0", "trade_in_appraiser": "", "insurance_estimate": "0",
        "fees": "0", "payment_plan": "full", "down_payment": "0", "loan_term_months": "",
        "loan_annual_rate": "", "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_calculate_shows_the_tax_line_and_refreshes_the_summary(client, store, consultant,
                                                                 bev):
    set_policy(store, show_purchase_tax=True)
    client.force_login(english(consultant))

    with at("2026-03-02"):
        response = client.post(CALCULATE, builder_data(bev, discount="9800"), **HTMX)

    html = response.content.decode()
    totals, summary = html.split('<div id="quote-summary"')
    assert '<dd data-testid="total-purchase-tax">¥8,849.56</dd>' in totals
    assert '<dd class="quote-line" data-testid="total-purchase-tax-relief">−¥8,849.56</dd>' \
        in totals
    assert ('<dd class="quote-sum" data-testid="total-out-the-door">¥208,849.56</dd>'
            in totals)
    # The compact summary comes along out of band, with the same figures.
    assert summary.startswith(' class="quote-summary" data-testid="quote-summary" '
                              'hx-swap-oob="true">')
    assert '<dd data-testid="summary-vehicle-price">¥200,000.00</dd>' in summary
    assert '<dd data-testid="summary-out-the-door">¥208,849.56</dd>' in summary
    assert 'data-testid="summary-tier">Needs manager approval</p>' in summary


@pytest.mark.django_db
def test_calculate_without_the_policy_has_no_tax_line(client, consultant, bev):
    client.force_login(english(consultant))

    response = client.post(CALCULATE, builder_data(bev, discount="9800"), **HTMX)

    html = response.content.decode()
    assert "total-purchase-tax" not in html
    assert '<dd data-testid="summary-out-the-door">¥200,000.00</dd>' in html


@pytest.mark.django_db
def test_version_page_and_pdf_show_the_tax(client, store, consultant, customer, bev):
    set_policy(store, show_purchase_tax=True)
    with at("2026-03-02"):
        quote = make_quote(consultant, customer, discount=D("9800"), trim=bev)
    client.force_login(english(consultant))

    page = client.get(f"/contracts/quotes/{quote.pk}/")

    html = page.content.decode()
    assert '<dd data-testid="version-purchase-tax">¥8,849.56</dd>' in html
    assert "New-energy relief (full tax ¥17,699.12)" in html


@pytest.mark.django_db
def test_trim_options_name_the_series_with_one_query_for_all(client, consultant, customer,
                                                             django_assert_num_queries):
    rav4 = SeriesFactory(name="RAV4")
    first = TrimFactory(series=rav4, name="2.0L 两驱风尚版", msrp=D("169800"))
    TrimFactory(series=rav4, name="2.0L 四驱探险版", msrp=D("199800"))
    TrimFactory(series=SeriesFactory(name="汉兰达"), name="2.0T 豪华版", msrp=D("269800"))
    form = QuoteForm(user=consultant)

    with django_assert_num_queries(1):  # the trims with their series, for every option
        html = str(form["trim"])

    assert (f'<option value="{first.pk}">RAV4 2025 2.0L 两驱风尚版 · ¥169,800.00</option>'
            in html)
    labels = re.findall(r'<option value="\d+">([^<]*)</option>', html)
    assert labels == ["RAV4 2025 2.0L 两驱风尚版 · ¥169,800.00",
                      "RAV4 2025 2.0L 四驱探险版 · ¥199,800.00",
                      "汉兰达 2025 2.0T 豪华版 · ¥269,800.00"]


# --- The PDFs ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_quote_and_contract_pdfs_print_the_tax(store, consultant, customer, manager, bev,
                                               tmp_path):
    from contracts.documents import contract_pdf, quote_pdf
    from tests.contracts.factories import make_contract
    from tests.contracts.test_pdf import pdf_text

    set_policy(store, show_purchase_tax=True)
    with at("2026-03-02"):
        quote = make_quote(consultant, customer, discount=D("9800"), trim=bev)
        contract = make_contract(consultant, customer, manager=manager, status="signed",
                                 discount=D("9800"), trim=bev)

    with translation.override("en"):
        quote_text = pdf_text(quote_pdf(quote.current_version), tmp_path)
        contract_text = pdf_text(contract_pdf(contract, draft=False), tmp_path)

    # 200,000: full 17,699.12, relief 8,849.56, due 8,849.56; total 208,849.56.
    for text in (quote_text, contract_text):
        assert "Vehicle purchase tax ¥8,849.56" in text
        assert "¥208,849.56" in text
    assert "New-energy relief (full tax ¥17,699.12) -¥8,849.56" in quote_text
    # The contract prints the price beside the payment: the text runs across both columns.
    assert "New-energy relief" in contract_text and "-¥8,849.56" in contract_text
    assert (contract.purchase_tax, contract.total_price) == (D("8849.56"), D("208849.56"))
