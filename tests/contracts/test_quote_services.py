"""Quote services: the three tiers at every boundary (三级议价), the floor, the reasons an
input cannot be saved, versions and what they change, re-approval, withdrawal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.enums import ApprovalStatus, ApprovalTier, LeadEventKind, PaymentPlan, QuoteStatus
from contracts.models import ApprovalRequest, Quote, QuoteVersion
from contracts.services import quotes as services
from contracts.services.quotes import QuoteInput
from dealership.enums import AuditAction, StockStatus
from leads.enums import LeadStatus
from leads.models import LeadEvent
from tests.contracts.factories import (
    AccessoryFactory,
    ValuePackageFactory,
    approved_quote,
    make_contract,
    make_quote,
    pending_approval,
)
from tests.contracts.factories_services import (
    audit_rows,
    customer_of,
    priced_trim,
    set_policy,
)
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    SeriesFactory,
    StockVehicleFactory,
    TrimFactory,
)
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def trim(db):
    return TrimFactory()  # ¥209,800: the floor (8 %) is ¥16,784.00


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def requests_of(quote: Quote) -> list[tuple[str, str, D]]:
    return [(r.status, r.tier, r.discount)
            for r in ApprovalRequest.objects.filter(quote=quote).order_by("id")]


def revise(actor, quote, trim, **kwargs) -> QuoteVersion:
    return services.quote_revise(actor=actor, quote=quote, data=QuoteInput(trim=trim, **kwargs))


# --- Creating: the tiers ------------------------------------------------------------------
def test_consultant_exactly_at_their_limit_is_approved_without_a_request(consultant, customer,
                                                                          trim):
    quote = make_quote(consultant, customer, discount="3000", trim=trim)

    assert quote.status == QuoteStatus.APPROVED
    assert requests_of(quote) == []
    version = quote.current_version
    assert (version.number, version.discount, version.tier_required, version.below_floor) == (
        1, D("3000.00"), ApprovalTier.CONSULTANT, False)


@pytest.mark.parametrize(("discount", "tier"), [
    ("3000.01", ApprovalTier.SUPERVISOR),
    ("3001", ApprovalTier.SUPERVISOR),
    ("8000", ApprovalTier.SUPERVISOR),
    ("8000.01", ApprovalTier.MANAGER),
    ("8001", ApprovalTier.MANAGER),
    ("16784.00", ApprovalTier.MANAGER),  # exactly at the floor: no reason needed
])
def test_consultant_over_their_limit_asks_the_next_tier(consultant, customer, trim, discount,
                                                         tier):
    quote = make_quote(consultant, customer, discount=discount, trim=trim)

    assert quote.status == QuoteStatus.PENDING
    assert requests_of(quote) == [(ApprovalStatus.PENDING, tier, D(discount))]
    request = pending_approval(quote)
    assert (request.version, request.requested_by, request.store) == (
        quote.current_version, consultant, quote.store)
    assert (quote.current_version.tier_required, quote.current_version.below_floor) == (
        tier, False)


def test_just_below_the_floor_without_a_reason_is_refused(consultant, customer, trim):
    with pytest.raises(ValidationError) as excinfo:
        make_quote(consultant, customer, discount="16784.01", trim=trim)

    assert errors_of(excinfo) == {"floor_reason": [
        "A discount above ¥16,784.00 is below the store's floor: record the reason."]}
    assert Quote.objects.count() == 0


def test_just_below_the_floor_with_a_reason_asks_the_manager(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="16784.01", trim=trim,
                       floor_reason=" 库存车超过90天 ")

    assert quote.status == QuoteStatus.PENDING
    assert requests_of(quote) == [(ApprovalStatus.PENDING, ApprovalTier.MANAGER,
                                   D("16784.01"))]
    version = quote.current_version
    assert (version.below_floor, version.floor_reason) == (True, "库存车超过90天")


def test_at_the_floor_a_reason_given_is_not_kept(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="16784", trim=trim,
                       floor_reason="不需要")

    assert (quote.current_version.below_floor, quote.current_version.floor_reason) == (
        False, "")


def test_floor_sends_a_supervisor_sized_discount_to_the_manager(consultant, customer):
    cheap = priced_trim("50000")  # floor 4,000.00, between the two limits

    at_floor = make_quote(consultant, customer, discount="4000", trim=cheap)
    below = make_quote(consultant, customer, discount="4000.01", trim=cheap,
                       floor_reason="清库存")

    assert requests_of(at_floor) == [(ApprovalStatus.PENDING, ApprovalTier.SUPERVISOR,
                                      D("4000.00"))]
    assert requests_of(below) == [(ApprovalStatus.PENDING, ApprovalTier.MANAGER,
                                   D("4000.01"))]


def test_supervisor_own_quote_within_their_authority_is_approved(supervisor, trim):
    customer = customer_of(supervisor)

    quote = make_quote(supervisor, customer, discount="5000", trim=trim)

    assert (quote.status, quote.consultant, requests_of(quote)) == (
        QuoteStatus.APPROVED, supervisor, [])


def test_supervisor_own_quote_over_their_authority_asks_the_manager(supervisor, trim):
    customer = customer_of(supervisor)

    quote = make_quote(supervisor, customer, discount="9000", trim=trim)

    assert quote.status == QuoteStatus.PENDING
    assert requests_of(quote) == [(ApprovalStatus.PENDING, ApprovalTier.MANAGER, D("9000.00"))]
    assert pending_approval(quote).requested_by == supervisor


def test_supervisor_quoting_for_their_consultant_grants_it_themselves(supervisor, consultant,
                                                                      customer, trim):
    quote = make_quote(supervisor, customer, discount="8000", trim=trim)

    # The quote stays the customer's owner's; the supervisor wrote the version.
    assert (quote.status, quote.consultant, quote.current_version.created_by) == (
        QuoteStatus.APPROVED, consultant, supervisor)
    assert requests_of(quote) == []


def test_manager_own_quote_of_15000_is_approved(manager, customer, trim):
    quote = make_quote(manager, customer, discount="15000", trim=trim)

    assert (quote.status, requests_of(quote)) == (QuoteStatus.APPROVED, [])
    assert quote.current_version.tier_required == ApprovalTier.MANAGER


def test_manager_below_the_floor_still_records_a_reason(manager, customer, trim):
    with pytest.raises(ValidationError) as excinfo:
        make_quote(manager, customer, discount="20000", trim=trim)
    quote = make_quote(manager, customer, discount="20000", trim=trim, floor_reason="展车")

    assert list(errors_of(excinfo)) == ["floor_reason"]
    assert (quote.status, quote.current_version.below_floor,
            quote.current_version.floor_reason) == (QuoteStatus.APPROVED, True, "展车")


@pytest.mark.parametrize(("discount", "status", "requests"), [
    ("5000", QuoteStatus.APPROVED, []),
    ("5000.01", QuoteStatus.PENDING, [(ApprovalStatus.PENDING, ApprovalTier.SUPERVISOR,
                                       D("5000.01"))]),
    ("10000", QuoteStatus.PENDING, [(ApprovalStatus.PENDING, ApprovalTier.SUPERVISOR,
                                     D("10000.00"))]),
    ("10000.01", QuoteStatus.PENDING, [(ApprovalStatus.PENDING, ApprovalTier.MANAGER,
                                        D("10000.01"))]),
])
def test_store_policy_values_are_respected(store, consultant, customer, trim, discount, status,
                                           requests):
    set_policy(store, consultant_limit="5000", supervisor_limit="10000", floor_pct="10")

    quote = make_quote(consultant, customer, discount=discount, trim=trim)

    assert (quote.status, requests_of(quote)) == (status, requests)


def test_store_floor_percentage_is_respected(store, manager, customer, trim):
    set_policy(store, floor_pct="5")  # 5 % of 209,800 = 10,490.00

    with pytest.raises(ValidationError) as excinfo:
        make_quote(manager, customer, discount="10490.01", trim=trim)
    at_floor = make_quote(manager, customer, discount="10490", trim=trim)

    assert errors_of(excinfo) == {"floor_reason": [
        "A discount above ¥10,490.00 is below the store's floor: record the reason."]}
    assert (at_floor.status, at_floor.current_version.below_floor) == (QuoteStatus.APPROVED,
                                                                        False)


def test_another_store_policy_does_not_apply(store, other_store, outsider, trim):
    set_policy(store, consultant_limit="5000", supervisor_limit="10000")
    customer = customer_of(outsider)

    quote = make_quote(outsider, customer, discount="3000.01", trim=trim)

    assert requests_of(quote) == [(ApprovalStatus.PENDING, ApprovalTier.SUPERVISOR,
                                   D("3000.01"))]


# --- Creating: what is stored -------------------------------------------------------------
def test_create_stores_line_items_totals_validity_audit_and_lead_event(store, consultant,
                                                                       customer):
    trim = TrimFactory()
    colour = ColourFactory(series=trim.series, name="珍珠白", surcharge=D("3000"))
    mats = AccessoryFactory(store=store, code="MAT", name="脚垫", price=D("800"))
    wash = ValuePackageFactory(store=store, name="洗车券", price=D("1200"))
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.NEGOTIATING)
    mats.refresh_from_db()  # as the builder's form loads it: 800.00
    wash.refresh_from_db()

    quote = services.quote_create(actor=consultant, customer=customer, lead=lead, data=QuoteInput(
        trim=trim, colour=colour, discount=D("2000"), accessories=[(mats, 2)], packages=[wash],
        insurance_estimate=D("6500"), fees=D("500"), payment_plan=PaymentPlan.LOAN,
        down_payment=D("60000"), loan_term_months=36, loan_annual_rate=D("3.5")))

    version = quote.current_version
    # 209,800 + 3,000 colour − 2,000 + 1,600 + 1,200 + 6,500 + 500 = 220,600;
    # financed 160,600 at 3.5 % over 36 months: =PMT(3.5%/12,36,-160600) = 4,705.91
    # (exact 4,705.914004…); interest 4,705.91 × 36 − 160,600 = 8,812.76.
    assert (version.list_price, version.discount, version.accessories_total,
            version.packages_total, version.out_the_door, version.amount_due,
            version.loan_principal, version.monthly_payment, version.total_interest) == (
        D("212800.00"), D("2000.00"), D("1600.00"), D("1200.00"), D("220600.00"),
        D("220600.00"), D("160600.00"), D("4705.91"), D("8812.76"))
    assert version.accessories == [{"id": mats.pk, "code": "MAT", "name": "脚垫",
                                    "unit_price": "800.00", "quantity": 2,
                                    "amount": "1600.00"}]
    assert version.packages == [{"id": wash.pk, "name": "洗车券", "kind": "maintenance",
                                 "price": "1200.00"}]
    assert (quote.status, quote.store, version.store, quote.consultant, quote.lead,
            version.created_by, version.changes) == (
        QuoteStatus.APPROVED, store, store, consultant, lead, consultant, [])
    assert quote.valid_until == store.today() + dt.timedelta(days=7)
    [entry] = audit_rows(quote)
    assert (entry.action, entry.actor, entry.changes) == (AuditAction.CREATE, consultant, {
        "status": [None, "approved"], "discount": [None, "2000.00"],
        "out_the_door": [None, "220600.00"]})
    [event] = LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.QUOTE)
    assert (event.actor, event.note, event.data) == (
        consultant, f"Quote {quote.number}: ¥220,600.00", {"quote": quote.pk})


def test_quote_validity_follows_the_store_policy(store, consultant, customer, trim):
    set_policy(store, quote_valid_days=3)

    quote = make_quote(consultant, customer, trim=trim)

    assert quote.valid_until == store.today() + dt.timedelta(days=3)


def test_consultant_cannot_quote_another_consultants_customer(teammate, customer, trim):
    with pytest.raises(PermissionDenied):
        make_quote(teammate, customer, trim=trim)
    assert Quote.objects.count() == 0


def test_outsider_cannot_quote_a_customer_of_another_store(outsider, customer, trim):
    with pytest.raises(PermissionDenied):
        make_quote(outsider, customer, trim=trim)


def test_finance_cannot_write_a_quote(make_user, customer, trim):
    with pytest.raises(PermissionDenied):
        make_quote(make_user("finance"), customer, trim=trim)


def test_lead_of_another_customer_is_refused(store, consultant, customer, trim):
    other_lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError) as excinfo:
        make_quote(consultant, customer, trim=trim, lead=other_lead)

    assert errors_of(excinfo) == {"lead": ["This lead is not of this customer."]}


# --- quote_errors -------------------------------------------------------------------------
def refused(consultant, customer, **kwargs) -> dict[str, list[str]]:
    kwargs.setdefault("trim", TrimFactory())
    with pytest.raises(ValidationError) as excinfo:
        services.quote_create(actor=consultant, customer=customer, data=QuoteInput(**kwargs))
    assert Quote.objects.count() == 0
    return errors_of(excinfo)


def test_colour_of_another_series_is_refused(consultant, customer):
    colour = ColourFactory(series=SeriesFactory(name="雷凌"))

    assert refused(consultant, customer, colour=colour) == {
        "colour": ["This colour is not offered for this series."]}


VEHICLE_REFUSED = {"vehicle": [
    "Choose an unsold vehicle of this trim from the store's stock, or none."]}


def test_vehicle_of_another_store_is_refused(consultant, customer, other_store, trim):
    vehicle = StockVehicleFactory(store=other_store, trim=trim)

    assert refused(consultant, customer, trim=trim, vehicle=vehicle) == VEHICLE_REFUSED


def test_vehicle_of_another_trim_is_refused(consultant, customer, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=TrimFactory())

    assert refused(consultant, customer, trim=trim, vehicle=vehicle) == VEHICLE_REFUSED


def test_sold_vehicle_is_refused(consultant, customer, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=StockStatus.SOLD)

    assert refused(consultant, customer, trim=trim, vehicle=vehicle) == VEHICLE_REFUSED


def test_vehicle_of_another_colour_is_refused(consultant, customer, store, trim):
    white, black = ColourFactory(series=trim.series), ColourFactory(series=trim.series)
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=black)

    assert refused(consultant, customer, trim=trim, colour=white, vehicle=vehicle) == {
        "vehicle": ["This vehicle has another colour."]}


def test_vehicle_of_the_store_trim_and_colour_is_accepted(consultant, customer, store, trim):
    white = ColourFactory(series=trim.series)
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=white,
                                  status=StockStatus.IN_TRANSIT, arrival_date=None)

    quote = make_quote(consultant, customer, trim=trim, colour=white, vehicle=vehicle)

    assert (quote.current_version.vehicle, quote.current_version.colour) == (vehicle, white)


def test_inactive_trim_is_refused(consultant, customer):
    assert refused(consultant, customer, trim=TrimFactory(is_active=False)) == {
        "trim": ["This trim is no longer on sale; choose another."]}


def test_retired_colour_is_refused(consultant, customer, trim):
    retired = ColourFactory(series=trim.series, is_active=False)

    assert refused(consultant, customer, trim=trim, colour=retired) == {
        "colour": ["This colour is no longer offered; choose another."]}


def test_discount_above_the_list_price_is_refused(consultant, customer, trim):
    assert refused(consultant, customer, trim=trim, discount=D("209800.01"),
                   floor_reason="试算") == {
        "discount": ["The discount cannot be more than the list price."]}


def test_negative_discount_is_refused(consultant, customer, trim):
    assert refused(consultant, customer, trim=trim, discount=D("-1")) == {
        "discount": ["The discount cannot be negative."]}


def test_trade_in_without_its_details_is_refused(consultant, customer, trim):
    year = timezone.localdate().year

    assert refused(consultant, customer, trim=trim, trade_in_value=D("40000")) == {
        "trade_in_make": ["A trade-in needs its make."],
        "trade_in_model": ["A trade-in needs its model."],
        "trade_in_appraiser": ["A trade-in needs its appraiser."],
        "trade_in_year": [f"Enter the trade-in's year (1980–{year})."],
        "trade_in_condition": ["Choose the trade-in's condition."],
    }


def test_trade_in_year_in_the_future_is_refused(consultant, customer, trim):
    year = timezone.localdate().year

    assert refused(consultant, customer, trim=trim, trade_in_value=D("40000"),
                   trade_in_make="大众", trade_in_model="速腾", trade_in_year=year + 1,
                   trade_in_condition="good", trade_in_appraiser="陈评估") == {
        "trade_in_year": [f"Enter the trade-in's year (1980–{year})."]}


def test_trade_in_worth_more_than_the_car_is_refused(consultant, customer):
    assert refused(consultant, customer, trim=priced_trim("50000"),
                   trade_in_value=D("50000.01"), trade_in_make="大众", trade_in_model="速腾",
                   trade_in_year=2019, trade_in_condition="good",
                   trade_in_appraiser="陈评估") == {
        "trade_in_value": ["The trade-in is worth more than the car; the difference cannot "
                           "be paid out in a quote."]}


def test_complete_trade_in_is_stored(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim, trade_in_value=D("40000"),
                       trade_in_make=" 大众 ", trade_in_model="速腾", trade_in_year=2019,
                       trade_in_mileage_km=68000, trade_in_condition="good",
                       trade_in_appraiser="陈评估")

    version = quote.current_version
    assert (version.trade_in_make, version.trade_in_year, version.trade_in_mileage_km,
            version.trade_in_condition, version.trade_in_value, version.amount_due) == (
        "大众", 2019, 68000, "good", D("40000.00"), D("169800.00"))


def test_loan_term_not_offered_is_refused(consultant, customer, trim):
    assert refused(consultant, customer, trim=trim, payment_plan=PaymentPlan.LOAN,
                   down_payment=D("60000"), loan_term_months=18,
                   loan_annual_rate=D("4.8")) == {
        "loan_term_months": ["Choose a term of 12/24/36/48/60 months."]}


@pytest.mark.parametrize("rate", [None, D("-0.01"), D("36.01")])
def test_loan_rate_out_of_range_is_refused(consultant, customer, trim, rate):
    assert refused(consultant, customer, trim=trim, payment_plan=PaymentPlan.LOAN,
                   down_payment=D("60000"), loan_term_months=36, loan_annual_rate=rate) == {
        "loan_annual_rate": ["Enter an annual rate from 0 to 36 %."]}


@pytest.mark.parametrize("down", ["209800", "209800.01"])
def test_down_payment_covering_the_amount_due_is_refused(consultant, customer, trim, down):
    assert refused(consultant, customer, trim=trim, payment_plan=PaymentPlan.LOAN,
                   down_payment=D(down), loan_term_months=36, loan_annual_rate=D("4.8")) == {
        "down_payment": ["The down payment leaves nothing to finance; choose full payment "
                         "instead."]}


def test_down_payment_one_fen_short_of_the_amount_due_is_a_loan(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim, payment_plan=PaymentPlan.LOAN,
                       down_payment=D("209799.99"), loan_term_months=12,
                       loan_annual_rate=D("0"))

    assert (quote.current_version.loan_principal, quote.current_version.monthly_payment) == (
        D("0.01"), D("0.00"))


def test_unknown_payment_plan_is_refused(consultant, customer, trim):
    assert refused(consultant, customer, trim=trim, payment_plan="lease") == {
        "payment_plan": ["Choose full payment or a loan."]}


def test_inactive_accessory_is_refused(store, consultant, customer, trim):
    old = AccessoryFactory(store=store, name="旧款脚垫", is_active=False)

    assert refused(consultant, customer, trim=trim, accessories=[(old, 1)]) == {
        "accessories": ["“旧款脚垫” is not on sale at this store."]}


def test_accessory_of_another_store_is_refused(other_store, consultant, customer, trim):
    theirs = AccessoryFactory(store=other_store, name="外店行车记录仪")

    assert refused(consultant, customer, trim=trim, accessories=[(theirs, 1)]) == {
        "accessories": ["“外店行车记录仪” is not on sale at this store."]}


@pytest.mark.parametrize("quantity", [0, 21])
def test_accessory_quantity_out_of_range_is_refused(store, consultant, customer, trim,
                                                    quantity):
    mats = AccessoryFactory(store=store)

    assert refused(consultant, customer, trim=trim, accessories=[(mats, quantity)]) == {
        "accessories": ["Quantities run from 1 to 20."]}


def test_inactive_package_is_refused(store, consultant, customer, trim):
    old = ValuePackageFactory(store=store, name="停售套餐", is_active=False)

    assert refused(consultant, customer, trim=trim, packages=[old]) == {
        "packages": ["“停售套餐” is not offered at this store."]}


def test_negative_amounts_are_refused(consultant, customer, trim):
    assert refused(consultant, customer, trim=trim, insurance_estimate=D("-1"),
                   fees=D("-0.01")) == {
        "insurance_estimate": ["Enter an amount of zero or more."],
        "fees": ["Enter an amount of zero or more."]}


def test_quote_errors_writes_nothing_and_lists_every_field(consultant, customer):
    trim = TrimFactory()
    data = QuoteInput(trim=trim, colour=ColourFactory(series=SeriesFactory(name="卡罗拉")),
                      discount=D("-5"), payment_plan=PaymentPlan.LOAN, loan_term_months=7,
                      loan_annual_rate=D("4.8"))
    priced = services.quote_price(actor=consultant, data=data,
                                  policy=set_policy(consultant.store))

    errors = services.quote_errors(actor=consultant, data=data, priced=priced)

    assert sorted(errors) == ["colour", "discount", "loan_term_months"]
    assert Quote.objects.count() == 0


# --- Versions -----------------------------------------------------------------------------
def test_revising_keeps_every_version_with_exactly_what_changed(consultant, customer, trim):
    white = ColourFactory(series=trim.series, name="珍珠白")
    quote = make_quote(consultant, customer, discount="2000", trim=trim)

    revise(consultant, quote, trim, discount=D("2500"), note="客户要求再优惠")
    third = revise(consultant, quote, trim, colour=white, discount=D("2500"),
                   note="客户要求再优惠")

    versions = list(QuoteVersion.objects.filter(quote=quote).order_by("number"))
    assert [(v.number, v.discount, v.created_by) for v in versions] == [
        (1, D("2000.00"), consultant), (2, D("2500.00"), consultant),
        (3, D("2500.00"), consultant)]
    assert versions[0].changes == []
    assert versions[1].changes == [
        {"field": "discount", "old": "2000.00", "new": "2500.00"},
        {"field": "note", "old": "", "new": "客户要求再优惠"}]
    assert versions[2].changes == [{"field": "colour", "old": "", "new": "珍珠白"}]
    quote.refresh_from_db()
    assert (quote.current_version, quote.status) == (third, QuoteStatus.APPROVED)


def test_revising_an_unchanged_loan_lists_no_loan_change(consultant, customer, trim):
    loan = {"payment_plan": PaymentPlan.LOAN, "down_payment": D("60000"),
            "loan_term_months": 36, "loan_annual_rate": D("4.8")}
    quote = make_quote(consultant, customer, discount="1000", trim=trim, **loan)

    version = revise(consultant, quote, trim, discount=D("1500"), **loan)

    assert version.changes == [{"field": "discount", "old": "1000.00", "new": "1500.00"}]


def test_revision_records_an_audit_row_and_a_lead_event(store, consultant, customer, trim):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    quote = make_quote(consultant, customer, discount="2000", trim=trim, lead=lead)

    revise(consultant, quote, trim, discount=D("3500"))

    update = audit_rows(quote, action=AuditAction.UPDATE)
    assert [(e.actor, e.changes) for e in update] == [(consultant, {
        "version": [1, 2], "status": ["approved", "pending"],
        "discount": ["2000.00", "3500.00"]})]
    notes = list(LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.QUOTE)
                 .order_by("id").values_list("note", flat=True))
    assert notes == [f"Quote {quote.number}: ¥207,800.00",
                     f"Quote {quote.number} revised (v2)"]


def test_change_to_an_approved_quote_over_the_limit_needs_approval_again(
        consultant, supervisor, customer, trim):
    quote = approved_quote(consultant, customer, discount=D("5000"), approver=supervisor,
                           trim=trim)
    assert quote.status == QuoteStatus.APPROVED

    # Same discount, another insurance estimate: still over the consultant's own limit.
    version = revise(consultant, quote, trim, discount=D("5000"),
                     insurance_estimate=D("6000"))

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING
    assert requests_of(quote) == [
        (ApprovalStatus.APPROVED, ApprovalTier.SUPERVISOR, D("5000.00")),
        (ApprovalStatus.PENDING, ApprovalTier.SUPERVISOR, D("5000.00"))]
    assert pending_approval(quote).version == version


def test_change_to_an_approved_quote_within_the_limit_stays_approved(consultant, supervisor,
                                                                     customer, trim):
    quote = approved_quote(consultant, customer, discount=D("5000"), approver=supervisor,
                           trim=trim)

    revise(consultant, quote, trim, discount=D("3000"))

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    assert requests_of(quote) == [
        (ApprovalStatus.APPROVED, ApprovalTier.SUPERVISOR, D("5000.00"))]


def test_new_version_supersedes_the_waiting_request(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="5000", trim=trim)
    first = pending_approval(quote)

    version = revise(consultant, quote, trim, discount=D("9000"))

    first.refresh_from_db()
    assert (first.status, first.decided_by) == (ApprovalStatus.SUPERSEDED, None)
    assert first.decided_at is not None
    second = pending_approval(quote)
    assert (second.version, second.tier, second.discount) == (version, ApprovalTier.MANAGER,
                                                              D("9000.00"))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING


def test_revision_within_the_limit_of_a_pending_quote_is_approved(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="5000", trim=trim)

    revise(consultant, quote, trim, discount=D("3000"))

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    assert requests_of(quote) == [(ApprovalStatus.SUPERSEDED, ApprovalTier.SUPERVISOR,
                                   D("5000.00"))]


def test_rejected_quote_can_be_revised(consultant, supervisor, customer, trim):
    quote = make_quote(consultant, customer, discount="5000", trim=trim)
    services.approval_decide(actor=supervisor, approval=pending_approval(quote),
                             decision="reject", comment="太多了")

    revise(consultant, quote, trim, discount=D("2800"))

    quote.refresh_from_db()
    assert (quote.status, quote.current_version.number) == (QuoteStatus.APPROVED, 2)


def test_revision_is_the_next_version_in_the_quotes_store(store, consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="2000", trim=trim)

    version = revise(consultant, quote, trim, discount=D("2500"))

    assert (version.store, version.quote, version.number) == (store, quote, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteVersion.objects.filter(pk=version.pk).update(number=1)


def test_revise_refuses_invalid_input_and_keeps_the_quote(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="2000", trim=trim)

    with pytest.raises(ValidationError) as excinfo:
        revise(consultant, quote, trim, discount=D("-1"))

    assert errors_of(excinfo) == {"discount": ["The discount cannot be negative."]}
    assert QuoteVersion.objects.filter(quote=quote).count() == 1


def test_teammate_cannot_revise(teammate, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(PermissionDenied):
        revise(teammate, quote, trim, discount=D("100"))


@pytest.mark.parametrize(("status", "label"), [
    (QuoteStatus.WITHDRAWN, "Withdrawn"), (QuoteStatus.CONTRACTED, "Contract drafted")])
def test_closed_quote_cannot_be_revised(consultant, customer, trim, status, label):
    quote = make_quote(consultant, customer, trim=trim)
    Quote.objects.filter(pk=quote.pk).update(status=status)

    with pytest.raises(ValidationError) as excinfo:
        revise(consultant, quote, trim, discount=D("100"))

    assert excinfo.value.messages == [f"This quote is {label} and can no longer change."]
    assert QuoteVersion.objects.filter(quote=quote).count() == 1


# --- Withdraw -----------------------------------------------------------------------------
def test_withdraw_withdraws_the_waiting_request_and_is_audited(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="5000", trim=trim)
    request = pending_approval(quote)

    services.quote_withdraw(actor=consultant, quote=quote, reason=" 客户去了别家 ")

    quote.refresh_from_db()
    request.refresh_from_db()
    assert (quote.status, request.status) == (QuoteStatus.WITHDRAWN, ApprovalStatus.WITHDRAWN)
    [entry] = audit_rows(quote, action=AuditAction.UPDATE)
    assert (entry.changes, entry.reason) == ({"status": ["pending", "withdrawn"]},
                                             "客户去了别家")


def test_withdraw_needs_a_reason(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(ValidationError) as excinfo:
        services.quote_withdraw(actor=consultant, quote=quote, reason="  ")

    assert errors_of(excinfo) == {"reason": ["Say why the quote is withdrawn."]}
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_withdrawn_quote_cannot_be_withdrawn_again(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)
    services.quote_withdraw(actor=consultant, quote=quote, reason="不买了")

    with pytest.raises(ValidationError) as excinfo:
        services.quote_withdraw(actor=consultant, quote=quote, reason="不买了")

    assert excinfo.value.messages == ["This quote is Withdrawn and can no longer change."]


def test_teammate_cannot_withdraw(teammate, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(PermissionDenied):
        services.quote_withdraw(actor=teammate, quote=quote, reason="不买了")


def test_other_customer_of_the_store_keeps_its_own_quotes(store, consultant, trim):
    first, second = customer_of(consultant), CustomerFactory(store=store, owner=consultant)

    make_quote(consultant, first, trim=trim)
    make_quote(consultant, second, trim=trim, discount="5000")

    assert sorted(Quote.objects.values_list("customer_id", "status")) == sorted([
        (first.pk, QuoteStatus.APPROVED), (second.pk, QuoteStatus.PENDING)])


def test_pricing_a_quote_for_a_store_on_the_default_policy_writes_nothing(store, consultant):
    from contracts.models import DiscountPolicy
    from tests.contracts.factories import quote_input

    policy = DiscountPolicy.for_store(store)
    priced = services.quote_price(actor=consultant, data=quote_input(
        discount=D("3000.01")), policy=policy)

    assert policy.pk is None
    assert (policy.consultant_limit, policy.supervisor_limit) == (D("3000"),
                                                                 D("8000"))
    assert priced.needs_approval is True
    assert not DiscountPolicy.objects.filter(store=store).exists()


# --- A quote and its contract -------------------------------------------------------------
def test_mark_contracted_moves_an_approved_quote_and_audits_it(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    services.quote_mark_contracted(actor=consultant, quote=quote)

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONTRACTED
    [entry] = audit_rows(quote, action=AuditAction.UPDATE)
    assert (entry.actor, entry.changes, entry.reason) == (
        consultant, {"status": ["approved", "contracted"]}, "")


def test_mark_contracted_refuses_a_quote_awaiting_approval(consultant, customer, trim):
    quote = make_quote(consultant, customer, discount="5000", trim=trim)

    with pytest.raises(ValidationError) as excinfo:
        services.quote_mark_contracted(actor=consultant, quote=quote)

    assert excinfo.value.messages == [
        "This quote is Awaiting approval; that step is not possible now."]
    quote.refresh_from_db()
    assert (quote.status, audit_rows(quote, action=AuditAction.UPDATE)) == (
        QuoteStatus.PENDING, [])


def test_mark_contracted_is_refused_to_a_teammate(teammate, consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(PermissionDenied):
        services.quote_mark_contracted(actor=teammate, quote=quote)

    quote.refresh_from_db()
    assert (quote.status, audit_rows(quote, action=AuditAction.UPDATE)) == (
        QuoteStatus.APPROVED, [])


def test_reopen_gives_a_contracted_quote_back_with_the_reason(consultant, customer, manager):
    quote = make_contract(consultant, customer, manager=manager).quote

    services.quote_reopen(actor=consultant, quote=quote, reason="合同写错了")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    entry = audit_rows(quote, action=AuditAction.UPDATE)[-1]
    assert (entry.changes, entry.reason) == ({"status": ["contracted", "approved"]},
                                             "合同写错了")


def test_reopen_refuses_a_quote_without_a_contract(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(ValidationError) as excinfo:
        services.quote_reopen(actor=consultant, quote=quote, reason="合同写错了")

    assert excinfo.value.messages == ["This quote is Approved; that step is not possible now."]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_reopen_is_refused_to_an_outsider(outsider, consultant, customer, manager):
    quote = make_contract(consultant, customer, manager=manager).quote

    with pytest.raises(PermissionDenied):
        services.quote_reopen(actor=outsider, quote=quote, reason="合同写错了")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONTRACTED


def test_withdraw_with_contract_withdraws_a_contracted_quote(consultant, customer, manager):
    quote = make_contract(consultant, customer, manager=manager).quote

    services.quote_withdraw_with_contract(actor=manager, quote=quote, reason="客户放弃")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN
    entry = audit_rows(quote, action=AuditAction.UPDATE)[-1]
    assert (entry.actor, entry.changes, entry.reason) == (
        manager, {"status": ["contracted", "withdrawn"]}, "客户放弃")


def test_withdraw_with_contract_refuses_a_quote_without_one(consultant, customer, trim):
    quote = make_quote(consultant, customer, trim=trim)

    with pytest.raises(ValidationError) as excinfo:
        services.quote_withdraw_with_contract(actor=consultant, quote=quote, reason="客户放弃")

    assert excinfo.value.messages == ["This quote is Approved; that step is not possible now."]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_withdraw_with_contract_is_refused_to_an_outsider(outsider, consultant, customer,
                                                          manager):
    quote = make_contract(consultant, customer, manager=manager).quote

    with pytest.raises(PermissionDenied):
        services.quote_withdraw_with_contract(actor=outsider, quote=quote, reason="客户放弃")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONTRACTED
