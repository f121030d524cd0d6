"""The large group's five years of the money stage (seed_demo --scale large): for each
history lead that was won, a quote (one to three versions) and a signed contract with its
deposit, delivered and paid unless it was signed in the last two weeks, half of the older
ones closed; for leads still negotiating an open quote; for some lost leads a quote that
was withdrawn. Written in bulk (dealership.demo.bulk); the stores' contract sequences
are moved past the numbers given, so the next signing continues them."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from contracts.enums import ApprovalTier, ContractStatus, PaymentKind, QuoteStatus
from contracts.models import Contract, ContractSequence, Payment, Quote, QuoteVersion
from dealership.enums import Role
from dealership.models import Store, Trim, User
from leads.enums import LeadStatus
from leads.models import Lead

CHANNELS = ["transfer", "card", "wechat_pay", "alipay", "cash"]


def _tier(discount: int) -> str:
    if discount <= 5000:
        return ApprovalTier.CONSULTANT
    return ApprovalTier.SUPERVISOR if discount <= 10000 else ApprovalTier.MANAGER


def seed_history(rng: random.Random, *, store: Store) -> None:
    from dealership.demo import bulk
    from dealership.demo import group as shape

    tz, now = store.tzinfo, timezone.now()
    floor = shape.current().lead_floor.get(store.pk, 0)
    staff = dict(User.objects.filter(store=store, role__in=[Role.FINANCE, Role.MANAGER])
                 .order_by("-pk").values_list("role", "pk"))
    finance, manager = staff.get(Role.FINANCE), staff.get(Role.MANAGER)
    if finance is None or manager is None:
        return
    trims_by_series: dict[str, list] = defaultdict(list)
    all_trims = []
    for trim in Trim.objects.filter(is_active=True).select_related("series").order_by("pk"):
        colours = list(trim.series.colours.order_by("pk").values_list("pk", "name"))
        entry = (trim, colours, f"{trim.series} {trim.model_year} {trim.name}")
        trims_by_series[trim.series.name].append(entry)
        all_trims.append(entry)
    if not all_trims:
        return
    last_number = dict(ContractSequence.objects.filter(store=store)
                       .values_list("year", "last"))
    last_number.update({year: max(last_number.get(year, 0), seq or 0) for year, seq in
                        Contract.objects.filter(store=store, sequence__isnull=False)
                        .values("year").annotate(top=Max("sequence"))
                        .values_list("year", "top")})
    quotes, versions = bulk.TableWriter(Quote), bulk.TableWriter(QuoteVersion)
    contracts, payments = bulk.TableWriter(Contract), bulk.TableWriter(Payment)
    leads = Lead.objects.filter(store=store, pk__gte=floor, owner__isnull=False,
                                status__in=[LeadStatus.WON, LeadStatus.NEGOTIATING,
                                            LeadStatus.LOST])
    signings = []  # (signed_at, contract fields): numbered in date order at the end
    for (pk, customer, owner, status, created, closed, model, name,
         phone) in bulk.stream(leads, "pk", "customer_id", "owner_id", "status", "created_at",
                               "closed_at", "model_interest", "customer__name",
                               "customer__phone"):
        if status == LeadStatus.LOST and rng.random() >= 0.2:
            continue
        trim, colours, description = rng.choice(trims_by_series.get(model) or all_trims)
        colour_id, colour_name = rng.choice(colours) if colours else (None, "")
        end = min(closed or now, now - dt.timedelta(hours=2))
        if end <= created:
            continue
        first = created + (end - created) * rng.uniform(0.3, 0.8)
        count = rng.choice((1, 1, 2, 2, 3))
        moments = sorted([first] + [first + (end - first) * rng.random()
                                    for _ in range(count - 1)])
        discount = rng.randrange(2, 16) * 1000
        quote_status = {LeadStatus.WON: QuoteStatus.CONTRACTED,
                        LeadStatus.LOST: QuoteStatus.WITHDRAWN}.get(
            status, rng.choice((QuoteStatus.PENDING, QuoteStatus.APPROVED)))
        first_version = versions.next_id
        quote = quotes.add(
            store_id=store.pk, customer_id=customer, lead_id=pk, consultant_id=owner,
            status=quote_status, current_version_id=first_version + count - 1,
            valid_until=(moments[-1] + dt.timedelta(days=7)).astimezone(tz).date(),
            created_at=moments[0], updated_at=moments[-1])
        insurance = Decimal(rng.randrange(4000, 9000))
        fees = Decimal(1500)
        loan = rng.random() < 0.45
        price = trim.msrp
        for number, at in enumerate(moments, start=1):
            step = discount * number // count
            total = price - step + insurance + fees
            principal = (total * Decimal("0.6")).quantize(Decimal(1)) if loan else Decimal(0)
            version = dict(
                store_id=store.pk, quote_id=quote, number=number, created_by_id=owner,
                created_at=at, trim_id=trim.pk, colour_id=colour_id, list_price=price,
                discount=Decimal(step), insurance_estimate=insurance, fees=fees,
                payment_plan="loan" if loan else "full",
                down_payment=total - principal, loan_principal=principal,
                loan_term_months=36 if loan else None,
                loan_annual_rate=Decimal("3.99") if loan else None,
                monthly_payment=(principal * Decimal("0.0295")).quantize(Decimal("0.01")),
                out_the_door=total, amount_due=total, tier_required=_tier(step),
                changes=[] if number == 1 else [{"field": "discount",
                                                 "old": str(discount * (number - 1) // count),
                                                 "new": str(step)}])
            versions.add(**version)
        if status != LeadStatus.WON:
            continue
        signed = end
        deposit = Decimal(rng.choice((5000, 10000, 20000)))
        age = (now - signed).days
        delivered = closed_at = None
        contract_status = ContractStatus.SIGNED
        if age > 14:
            delivered = min(signed + dt.timedelta(days=rng.uniform(5, 25)),
                            now - dt.timedelta(days=1))
            contract_status = ContractStatus.DELIVERED
            if age > 60 and rng.random() < 0.5:
                contract_status = ContractStatus.CLOSED
                closed_at = delivered + dt.timedelta(days=rng.randrange(3, 30))
        signings.append((signed, dict(
            store_id=store.pk, status=contract_status, quote_id=quote,
            quote_version_id=first_version + count - 1, customer_id=customer,
            consultant_id=owner, lead_id=pk, buyer_name=name, buyer_phone=phone,
            trim_id=trim.pk, vehicle_description=description, colour_name=colour_name,
            list_price=price, discount=Decimal(discount), insurance_estimate=insurance,
            fees=fees, total_price=version["out_the_door"], amount_due=version["amount_due"],
            payment_plan=version["payment_plan"], down_payment=version["down_payment"],
            loan_principal=version["loan_principal"],
            loan_term_months=version["loan_term_months"],
            loan_annual_rate=version["loan_annual_rate"],
            monthly_payment=version["monthly_payment"], deposit_amount=deposit,
            promised_delivery_date=(signed + dt.timedelta(days=20)).astimezone(tz).date(),
            created_by_id=owner, created_at=signed - dt.timedelta(hours=2),
            updated_at=closed_at or delivered or signed,
            submitted_at=signed - dt.timedelta(hours=1, minutes=30), reviewed_by_id=manager,
            reviewed_at=signed - dt.timedelta(hours=1), signed_by_id=manager, signed_at=signed,
            delivered_at=delivered, closed_at=closed_at)))
    quotes.close()
    versions.close()
    signings.sort(key=lambda item: item[0])
    for signed, fields in signings:
        year = signed.astimezone(tz).year
        sequence = last_number.get(year, 0) + 1
        last_number[year] = sequence
        contract = contracts.add(year=year, sequence=sequence,
                                 number=f"{store.code}-{year}-{sequence:06d}", **fields)
        payments.add(store_id=store.pk, contract_id=contract, kind=PaymentKind.DEPOSIT,
                     channel=rng.choice(CHANNELS), amount=fields["deposit_amount"],
                     received_at=signed, recorded_by_id=finance, confirmed_by_id=finance,
                     confirmed_at=signed + dt.timedelta(hours=1))
        if fields["delivered_at"]:
            paid = fields["delivered_at"] - dt.timedelta(days=1)
            if fields["loan_principal"]:
                payments.add(store_id=store.pk, contract_id=contract, kind=PaymentKind.LOAN,
                             channel="transfer", amount=fields["loan_principal"],
                             received_at=paid, recorded_by_id=finance,
                             confirmed_by_id=finance, confirmed_at=paid)
            balance = fields["amount_due"] - fields["deposit_amount"] - fields["loan_principal"]
            if balance > 0:
                payments.add(store_id=store.pk, contract_id=contract, kind=PaymentKind.BALANCE,
                             channel=rng.choice(CHANNELS), amount=balance, received_at=paid,
                             recorded_by_id=finance, confirmed_by_id=finance,
                             confirmed_at=paid)
    contracts.close()
    payments.close()
    for year, last in last_number.items():
        ContractSequence.objects.update_or_create(store=store, year=year,
                                                  defaults={"last": last})
