"""Benchmark the contract PDF (not a timed test; the README's performance section quotes
its output):

    python manage.py benchmark_contract_pdf [--runs N] [--language zh-hans|en] [--contract ID]

Without --contract it builds a realistic signed contract (Chinese names and addresses,
accessories, packages, a trade-in, a loan, additional terms) through the real services,
in a transaction that is rolled back at the end: the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from contracts.documents import contract_rendered, harfbuzz_subset_available
from contracts.enums import (
    ApprovalDecision,
    ContractStatus,
    PackageKind,
    PaymentChannel,
    PaymentPlan,
)
from contracts.models import Accessory, ApprovalRequest, Contract, ValuePackage
from contracts.services import contracts as contract_services
from contracts.services import quotes as quote_services
from contracts.services.quotes import QuoteInput
from dealership.enums import Powertrain, Role, Seniority
from dealership.models import Brand, Colour, Customer, DealerGroup, Series, Store, Trim, User


class _Rollback(Exception):
    pass


def build_sample_contract() -> Contract:
    """A signed contract as a busy 4S store writes them. Call it inside a transaction
    that is rolled back: it creates a store, staff, a customer and a catalogue."""
    suffix = secrets.token_hex(3).upper()
    group = DealerGroup.objects.create(code=f"BG{suffix}", name="华南汽车销售服务集团")
    store = Store.objects.create(
        code=f"BX{suffix}", name="广州天河丰田汽车销售服务有限公司", group=group,
        address="广东省广州市天河区黄埔大道西 888 号汽车城 A 栋", phone="020-8888 6666")
    consultant = User.objects.create(
        username=f"bench-con-{suffix}", name="王芳", role=Role.CONSULTANT, store=store,
        seniority=Seniority.SENIOR, phone="+8613922223333")
    manager = User.objects.create(username=f"bench-mgr-{suffix}", name="周建国",
                                  role=Role.MANAGER, store=store)
    customer = Customer.objects.create(
        store=store, owner=consultant, name="欧阳明辉", phone="+8613812345678",
        id_number="11010519491231002X", city="广州",
        address="广东省广州市海珠区新港中路 397 号 12 栋 1803 房")
    brand, _created = Brand.objects.get_or_create(name="丰田", defaults={"name_en": "Toyota"})
    series, _created = Series.objects.get_or_create(brand=brand, name="凯美瑞",
                                                    defaults={"body_type": "轿车"})
    trim, _created = Trim.objects.get_or_create(
        series=series, name="2.5HE 双擎尊贵版", model_year=2025,
        defaults={"powertrain": Powertrain.HEV, "msrp": Decimal("229800.00"), "seats": 5})
    colour, _created = Colour.objects.get_or_create(
        series=series, name="铂金珍珠白", defaults={"surcharge": Decimal("2000.00")})
    accessories = [
        Accessory.objects.create(store=store, code=f"A{n}", name=name, price=Decimal(price))
        for n, (name, price) in enumerate((
            ("全车 TPU 隐形车衣", "6800.00"), ("前后双录行车记录仪", "1280.00"),
            ("全包围皮革脚垫", "880.00"), ("后备箱储物垫", "360.00")))]
    packages = [
        ValuePackage.objects.create(store=store, name=name, kind=kind, price=Decimal(price),
                                    description=description)
        for name, kind, price, description in (
            ("首保及两次常规保养", PackageKind.MAINTENANCE, "0.00", "赠送"),
            ("一年 24 次精洗券", PackageKind.WASH, "600.00", ""),
            ("延保两年 / 10 万公里", PackageKind.WARRANTY, "3200.00", ""))]
    data = QuoteInput(
        trim=trim, colour=colour, discount=Decimal("6500.00"),
        accessories=[(accessories[0], 1), (accessories[1], 1), (accessories[2], 1),
                     (accessories[3], 2)],
        packages=packages, trade_in_make="大众", trade_in_model="朗逸 1.6L 自动舒适版",
        trade_in_year=2017, trade_in_mileage_km=86000, trade_in_condition="good",
        trade_in_value=Decimal("42000.00"), trade_in_appraiser="李评估",
        insurance_estimate=Decimal("6380.00"), fees=Decimal("1500.00"),
        payment_plan=PaymentPlan.LOAN, down_payment=Decimal("80000.00"),
        loan_term_months=36, loan_annual_rate=Decimal("3.99"),
        note="客户希望月底前提车")
    quote = quote_services.quote_create(actor=consultant, customer=customer, data=data)
    if quote.status == "pending":
        quote_services.approval_decide(
            actor=manager, approval=ApprovalRequest.objects.get(quote=quote, status="pending"),
            decision=ApprovalDecision.APPROVE, comment="老客户转介绍，同意")
        quote.refresh_from_db()
    contract = contract_services.contract_draft(actor=consultant, quote=quote)
    contract = contract_services.contract_update(
        actor=consultant, contract=contract, buyer_address=customer.address,
        buyer_id_number=customer.id_number, deposit_amount=Decimal("10000.00"),
        promised_delivery_date=store.today() + dt.timedelta(days=21),
        extra_terms="卖方于交车时为车辆加满燃油并免费安装随车附件。\n"
                    "买方如需上牌代办服务，费用按实际发生额另行结算。")
    contract = contract_services.contract_submit(actor=consultant, contract=contract)
    contract = contract_services.contract_approve(actor=manager, contract=contract)
    return contract_services.contract_sign(
        actor=consultant, contract=contract, customer_signed=True,
        deposit_channel=PaymentChannel.WECHAT, receipt_number=f"BENCH-{suffix}")


class Command(BaseCommand):
    help = "Render the contract PDF N times and print its render time, size and page count."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20,
                            help="how many times to render (default 20)")
        parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")
        parser.add_argument("--contract", type=int,
                            help="render this existing contract instead of a built sample")
        parser.add_argument("--output", help="also write the PDF to this file")

    def handle(self, *args, runs: int, language: str, contract: int | None,
               output: str | None, **options):
        self.output = output
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        if contract is not None:
            found = Contract.objects.select_related("store__group").filter(pk=contract).first()
            if found is None:
                raise CommandError(f"no contract with id {contract}")
            self._bench(found, runs=runs, language=language)
            return
        try:
            with transaction.atomic():
                with translation.override(language):
                    sample = build_sample_contract()
                self._bench(sample, runs=runs, language=language)
                raise _Rollback
        except _Rollback:
            pass

    def _bench(self, contract: Contract, *, runs: int, language: str) -> None:
        draft = not contract.number or contract.status not in (
            ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)
        timings = []
        with translation.override(language):
            for _run in range(runs):
                started = time.perf_counter()
                rendered = contract_rendered(contract, draft=draft)
                timings.append((time.perf_counter() - started) * 1000)
        ordered = sorted(timings)
        p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest-rank
        harfbuzz = harfbuzz_subset_available()
        out = self.stdout.write
        out(f"contract: {contract.number or contract.pk} ({language}, "
            f"{'draft' if draft else 'signed'})")
        out(f"runs: {runs}")
        out(f"first render ms: {timings[0]:.0f}")
        out(f"median render ms: {statistics.median(timings):.0f}")
        out(f"p95 render ms: {p95:.0f}")
        out(f"size KiB: {len(rendered.data) / 1024:.1f}")
        out(f"pages: {rendered.pages}")
        out(f"harfbuzz-subset: {'yes' if harfbuzz else 'no (fontTools fallback: slow)'}")
        if self.output:
            with open(self.output, "wb") as file:
                file.write(rendered.data)
            out(f"written: {self.output}")
