"""The contract and quote PDFs, read back the way a person (or a court) would: the text
with pdftotext, the fonts with pdffonts, the pages with pdfinfo (poppler-utils)."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from contracts.documents import (
    PDFRenderError,
    PDFResourceRefused,
    StaticFilesFetcher,
    contract_pdf,
    harfbuzz_subset_available,
    quote_pdf,
    render_pdf,
    rmb_in_words,
    static_file,
)
from contracts.models import DiscountPolicy
from dealership.models import Store
from tests.contracts.factories import (
    AccessoryFactory,
    ValuePackageFactory,
    make_contract,
    make_quote,
)
from tests.factories import DealerGroupFactory

LOAN = {"payment_plan": "loan", "down_payment": Decimal("60000"), "loan_term_months": 36,
        "loan_annual_rate": Decimal("3.5")}


def _poppler(tool: str, data: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(data)
    command = [f"/usr/bin/{tool}", *args, str(path), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(
        command, check=True, capture_output=True, text=True).stdout


def pdf_text(data: bytes, tmp_path) -> str:
    """The text, with line breaks and runs of spaces as one space."""
    return " ".join(_poppler("pdftotext", data, tmp_path, "-enc", "UTF-8").split())


def pdf_pages(data: bytes, tmp_path) -> int:
    info = _poppler("pdfinfo", data, tmp_path)
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))


def pdf_fonts(data: bytes, tmp_path) -> list[dict]:
    """pdffonts' table: the name, then type and encoding (with spaces), then emb sub uni
    and the object id."""
    lines = _poppler("pdffonts", data, tmp_path).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


@pytest.fixture
def dressed_store(store):
    """The persona store with what a contract header prints."""
    store.group = DealerGroupFactory(code="HN", name="华南汽车集团")
    store.address = "深圳市南山区深南大道 9999 号"
    store.phone = "0755-8888 6666"
    store.save()
    return store


@pytest.fixture
def signed_contract(dressed_store, consultant, customer, manager):
    """A loan contract with an accessory and a package: list ¥209,800, discount ¥2,000,
    floor mats ¥800 × 2, a free package, insurance ¥5,000, fees ¥1,500 → ¥215,900."""
    return make_contract(
        consultant, customer, manager=manager, status="signed",
        accessories=[(AccessoryFactory(store=dressed_store, name="全包围脚垫"), 2)],
        packages=[ValuePackageFactory(store=dressed_store, name="首保套餐")],
        insurance_estimate=Decimal("5000"), fees=Decimal("1500"), **LOAN)


# --- The contract ---------------------------------------------------------------------------
def test_contract_pdf_text_has_the_buyer_the_number_and_the_prices(signed_contract, tmp_path):
    with translation.override("zh-hans"):
        text = pdf_text(contract_pdf(signed_contract, draft=False), tmp_path)

    number = f"DEMO-{signed_contract.store.today().year}-000001"
    assert signed_contract.number == number
    assert number in text
    assert "张三丰" in text
    assert "11010519491231002X" in text  # the signed contract prints the ID number in full
    assert "138 1234 5678" in text
    assert "¥209,800.00" in text
    assert "¥215,900.00" in text
    assert "¥4,568.19" in text  # the monthly payment
    assert "贰拾壹万伍仟玖佰元整" in text  # the amount due in capital numerals
    assert "示范店" in text and "华南汽车集团" in text and "0755-8888 6666" in text
    assert "全包围脚垫 ×2" in text
    assert "王芳" in text  # the consultant


def test_contract_pdf_embeds_a_subset_of_the_cjk_font(signed_contract, tmp_path):
    with translation.override("zh-hans"):
        data = contract_pdf(signed_contract, draft=False)

    fonts = pdf_fonts(data, tmp_path)
    assert len(fonts) == 1
    assert re.fullmatch(r"[A-Z]{6}\+Dealership-CJK", fonts[0]["name"])
    assert (fonts[0]["emb"], fonts[0]["sub"], fonts[0]["uni"]) == ("yes", "yes", "yes")
    # A subset: the whole collection is 5 MB, the contract a few dozen KiB.
    assert len(data) < 100 * 1024


def test_contract_pdf_has_two_pages_numbered_in_the_footer(signed_contract, tmp_path):
    with translation.override("en"):
        data = contract_pdf(signed_contract, draft=False)

    assert pdf_pages(data, tmp_path) == 2
    text = pdf_text(data, tmp_path)
    assert "Page 1 of 2" in text
    assert "Page 2 of 2" in text


def test_contract_pdf_in_english(signed_contract, tmp_path):
    with translation.override("en"):
        text = pdf_text(contract_pdf(signed_contract, draft=False), tmp_path)

    assert "Vehicle Sales Contract" in text
    assert f"Contract No.: {signed_contract.number}" in text
    assert "Buyer (Party B)" in text
    assert "Civil Code" in text  # the built-in deposit term
    assert "DRAFT" not in text
    assert "贰拾" not in text  # capital numerals are printed in Chinese contracts only


def test_contract_pdf_in_chinese_has_the_chinese_title(signed_contract, tmp_path):
    with translation.override("zh-hans"):
        assert gettext("Vehicle Sales Contract") == "汽车销售合同", (
            "the compiled zh_Hans catalogue is missing or stale: run `make messages`")
        text = pdf_text(contract_pdf(signed_contract, draft=False), tmp_path)

    assert "汽车销售合同" in text


def test_contract_pdf_two_pages_in_chinese(signed_contract, tmp_path):
    with translation.override("zh-hans"):
        assert pdf_pages(contract_pdf(signed_contract, draft=False), tmp_path) == 2


def test_contract_pdf_draft_is_marked(signed_contract, tmp_path):
    with translation.override("en"):
        text = pdf_text(contract_pdf(signed_contract, draft=True), tmp_path)

    assert "DRAFT — not valid for signing" in text


def test_contract_without_a_number_is_marked_draft_whatever_is_asked(
        consultant, customer, tmp_path):
    contract = make_contract(consultant, customer)  # a draft: no number yet

    with translation.override("en"):
        text = pdf_text(contract_pdf(contract, draft=False), tmp_path)

    assert contract.number == ""
    assert "DRAFT — not valid for signing" in text
    assert "Contract No.: —" in text


def test_contract_pdf_prints_the_stores_own_terms_and_the_additional_ones(
        signed_contract, tmp_path):
    DiscountPolicy.objects.update_or_create(
        store=signed_contract.store,
        defaults={"contract_terms": "本店条款甲。\n\n本店条款乙。"})
    signed_contract.extra_terms = "交车时加满油。"

    with translation.override("en"):
        text = pdf_text(contract_pdf(signed_contract, draft=False), tmp_path)

    assert "1.本店条款甲。" in text.replace(" ", "")
    assert "2.本店条款乙。" in text.replace(" ", "")
    assert "3.交车时加满油。" in text.replace(" ", "")
    assert "Civil Code" not in text


def test_full_payment_contract_schedules_the_balance_before_delivery(
        consultant, customer, manager, tmp_path):
    contract = make_contract(consultant, customer, manager=manager, status="signed")

    with translation.override("en"):
        text = pdf_text(contract_pdf(contract, draft=False), tmp_path)

    # ¥207,800 due, ¥5,000 deposit at signing, the rest before delivery.
    assert "Balance, less the deposit" in text
    assert "¥202,800.00" in text
    assert "Loan amount" not in text


# --- The quote ------------------------------------------------------------------------------
def test_quote_pdf_has_the_loan_plan_and_is_not_a_contract(
        dressed_store, consultant, customer, tmp_path):
    quote = make_quote(consultant, customer, discount=Decimal("2000"),
                       insurance_estimate=Decimal("5000"), fees=Decimal("1500"),
                       accessories=[(AccessoryFactory(store=dressed_store, name="全包围脚垫"), 2)],
                       **LOAN)

    with translation.override("en"):
        data = quote_pdf(quote.current_version)
    text = pdf_text(data, tmp_path)

    assert pdf_pages(data, tmp_path) == 1
    assert f"Quote {quote.number} · version 1" in text
    assert "¥4,568.19" in text  # monthly payment
    assert "¥8,554.84" in text  # total interest
    assert "¥215,900.00" in text
    assert "全包围脚垫 × 2" in text
    assert "王芳" in text and "0755-8888 6666" in text
    assert "This quote is not a contract." in text
    assert "Valid until:" in text


# --- Resources: only our static files -----------------------------------------------------
def test_url_fetcher_refuses_http_and_files_outside_static():
    fetcher = StaticFilesFetcher()

    with pytest.raises(PDFResourceRefused):
        fetcher("http://example.com/style.css")
    with pytest.raises(PDFResourceRefused):
        fetcher("https://example.com/font.woff2")
    with pytest.raises(PDFResourceRefused):
        fetcher("file:///etc/passwd")
    assert len(fetcher.failures) == 3


def test_url_fetcher_serves_the_vendored_font():
    font = static_file("fonts/wqy-microhei/wqy-microhei.ttc")

    response = StaticFilesFetcher()(font.as_uri())

    assert response.read(4) == b"ttcf"


def test_a_template_asking_for_a_remote_resource_fails_to_render(store, settings, tmp_path):
    (tmp_path / "remote.html").write_text(
        '{% extends "contracts/pdf/base.html" %}{% block content %}'
        '<img src="http://127.0.0.1:9/logo.png">{% endblock %}', encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    with pytest.raises(PDFRenderError, match=re.escape("http://127.0.0.1:9/logo.png")):
        render_pdf("remote.html", {"store": store})


@pytest.mark.parametrize(("amount", "words"), [
    ("209800", "贰拾万玖仟捌佰元整"),
    ("215900.00", "贰拾壹万伍仟玖佰元整"),
    ("100005.50", "壹拾万零伍元伍角整"),
    ("10010", "壹万零壹拾元整"),
    ("1000.05", "壹仟元零伍分"),
    ("100000000", "壹亿元整"),
    ("0.50", "伍角整"),
    ("0", "零元整"),
])
def test_rmb_in_words(amount, words):
    assert rmb_in_words(Decimal(amount)) == words


# --- The benchmark command ------------------------------------------------------------------
def _bench(*args: str) -> dict[str, str]:
    out = StringIO()
    call_command("benchmark_contract_pdf", *args, stdout=out)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines())


def _row_counts() -> dict[str, int]:
    from contracts.models import Contract, ContractSequence, Payment, Quote
    from dealership.models import AuditEntry, Customer, User

    return {model.__name__: model.objects.count() for model in (
        Store, User, Customer, Quote, Contract, ContractSequence, Payment, AuditEntry)}


def test_benchmark_builds_a_sample_renders_it_and_rolls_back(db):
    before = _row_counts()

    result = _bench("--runs", "1")

    assert list(result) == ["contract", "runs", "first render ms", "median render ms",
                            "p95 render ms", "size KiB", "pages", "harfbuzz-subset"]
    assert re.fullmatch(r"BX[0-9A-F]{6}-\d{4}-000001 \(zh-hans, signed\)", result["contract"])
    assert result["runs"] == "1"
    assert int(result["median render ms"]) > 0
    assert 5 < float(result["size KiB"]) < 100
    assert result["pages"] == "2"
    assert result["harfbuzz-subset"] == ("yes" if harfbuzz_subset_available()
                                         else "no (fontTools fallback: slow)")
    assert _row_counts() == before


def test_benchmark_renders_an_existing_contract_in_english(signed_contract):
    result = _bench("--runs", "2", "--language", "en", "--contract", str(signed_contract.pk))

    assert result["contract"] == f"{signed_contract.number} (en, signed)"
    assert result["runs"] == "2"
    assert result["pages"] == "2"


def test_benchmark_refuses_an_unknown_contract(db):
    with pytest.raises(CommandError, match="no contract with id 999999"):
        _bench("--runs", "1", "--contract", "999999")
