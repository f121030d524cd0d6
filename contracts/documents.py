"""The contract and quote PDFs (WeasyPrint): pure functions, a loaded object in, PDF bytes
out, in the active language (the caller wraps them in translation.override).

Chinese text is set in the vendored WenQuanYi Micro Hei, embedded as a subset (the file
stays small). WeasyPrint may read nothing but our own static files: the URL fetcher
refuses every other URL, so a template can never make the worker call out to the network,
and a refused or missing resource fails the rendering instead of storing a PDF with a
fallback font.
"""

from __future__ import annotations

import ctypes.util
import datetime as dt
import mimetypes
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from contracts.enums import PaymentPlan
from contracts.models import Contract, DiscountPolicy, QuoteVersion
from contracts.services.pricing import total_interest
from contracts.terms import contract_terms
from dealership.money import ZERO, fen

FONT_PATH = "fonts/wqy-microhei/wqy-microhei.ttc"
STYLESHEET_PATH = "css/pdf.css"
FONT_FAMILY = "Dealership CJK"


class PDFResourceRefused(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


class PDFRenderError(RuntimeError):
    """A resource of the document could not be loaded: no PDF rather than a wrong one."""


# --- Static files and the URL fetcher -----------------------------------------------------
def static_file(relative: str) -> Path:
    """A static file on disk: from the finders (a checkout, no collectstatic needed), else
    from STATIC_ROOT (an image that only ships the collected files)."""
    found = finders.find(relative)
    path = Path(found) if found else Path(settings.STATIC_ROOT) / relative
    if not path.is_file():
        raise ImproperlyConfigured(f"static file {relative} not found (is it in static/, "
                                   "or was collectstatic run?)")
    return path.resolve()


def static_roots() -> tuple[Path, ...]:
    """The directories the PDF renderer may read from."""
    roots = [Path(root[1] if isinstance(root, tuple) else root)
             for root in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(root.resolve() for root in roots)


class StaticFilesFetcher(URLFetcher):
    """Serves file:// URLs under the static directories and refuses everything else
    (http, https, data, ftp, files elsewhere on the disk). Refusals are remembered so
    the render can fail after WeasyPrint has logged and skipped them."""

    def __init__(self, roots: tuple[Path, ...] | None = None):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.roots = roots if roots is not None else static_roots()
        self.failures: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = self._allowed_path(url)
            body = path.read_bytes()
        except (OSError, PDFResourceRefused) as error:
            self.failures.append(f"{url}: {error}")
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=body,
                                  headers={"Content-Type": content_type})

    def _allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise PDFResourceRefused(f"refused {url!r}: only our static files may be loaded")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise PDFResourceRefused(f"refused {url!r}: not under the static directories")
        if not path.is_file():
            raise PDFResourceRefused(f"refused {url!r}: no such file")
        return path


# --- Rendering ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    pages: int


_local = threading.local()


def _stylesheets() -> tuple[FontConfiguration, list[CSS]]:
    """The font and the print stylesheet, loaded once per thread: loading the 5 MB font
    collection into a FontConfiguration costs about a third of a render, and a
    FontConfiguration must not be shared between threads."""
    cached = getattr(_local, "stylesheets", None)
    if cached is None:
        fetcher = StaticFilesFetcher()
        font_config = FontConfiguration()
        font_face = CSS(string=(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; '
            f'src: url("{static_file(FONT_PATH).as_uri()}"); }}'),
            url_fetcher=fetcher, font_config=font_config)
        stylesheet = CSS(filename=str(static_file(STYLESHEET_PATH)), url_fetcher=fetcher,
                         font_config=font_config)
        if fetcher.failures:
            raise PDFRenderError("; ".join(fetcher.failures))
        cached = _local.stylesheets = (font_config, [font_face, stylesheet])
    return cached


def _page_footer_css() -> CSS:
    """"Page X of Y" in the active language: CSS counters inside a translated sentence."""
    sentence = _("Page %(page)s of %(pages)s")
    content = []
    for index, piece in enumerate(sentence.replace("%(pages)s", "\0pages\0")
                                  .replace("%(page)s", "\0page\0").split("\0")):
        if index % 2:
            content.append(f"counter({piece})")
        elif piece:
            content.append(_css_string(piece))
    return CSS(string=f"@page {{ @bottom-center {{ content: {' '.join(content)}; }} }}")


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def render_pdf(template: str, context: dict) -> RenderedPDF:
    """Render a template of templates/contracts/pdf/ to PDF, with our font and styles."""
    # "Label: value" — Chinese uses the full-width colon (：).
    html = render_to_string(template, {"sep": pgettext("label separator", ": "), **context})
    font_config, stylesheets = _stylesheets()
    fetcher = StaticFilesFetcher()
    document = HTML(string=html, base_url=static_file(STYLESHEET_PATH).parent.as_uri(),
                    url_fetcher=fetcher).render(
        stylesheets=[*stylesheets, _page_footer_css()], font_config=font_config)
    if fetcher.failures:
        raise PDFRenderError("; ".join(fetcher.failures))
    return RenderedPDF(data=document.write_pdf(), pages=len(document.pages))


def harfbuzz_subset_available() -> bool:
    """Without libharfbuzz-subset WeasyPrint subsets fonts with fontTools: the same PDF,
    but a Chinese contract takes seconds instead of a fraction of one."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


# --- Money in words -----------------------------------------------------------------------
_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _four_digits(number: int) -> str:
    text, zero = "", False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = number // power % 10
        if digit == 0:
            zero = zero or bool(text)
        else:
            text += ("零" if zero else "") + _DIGITS[digit] + unit
            zero = False
    return text


def rmb_in_words(amount: Decimal) -> str:
    """A CNY amount in capital numerals (人民币大写), as Chinese contracts and invoices
    print the total: 209800.50 → 贰拾万玖仟捌佰元伍角整."""
    amount = fen(Decimal(amount))
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen_ = cents // 100, cents // 10 % 10, cents % 10
    words, started, gap = "", False, False
    for value, unit in ((yuan // 10**8, "亿"), (yuan // 10**4 % 10**4, "万"),
                        (yuan % 10**4, "")):
        if value == 0:
            gap = gap or started
            continue
        if started and (gap or value < 1000):
            words += "零"
        words += _four_digits(value) + unit
        started, gap = True, False
    if words:
        words += "元"
    if jiao == 0 and fen_ == 0:
        return sign + (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen_:
        return sign + words + _DIGITS[fen_] + "分"
    return sign + words + "整"


# --- The contract -------------------------------------------------------------------------
def _local_date(moment: dt.datetime | None, store) -> dt.date:
    if moment is None:
        return store.today()
    return timezone.localtime(moment, store.tzinfo).date()


def _price_rows(contract: Contract) -> list[dict]:
    rows = [
        {"label": _("List price"), "amount": contract.list_price},
        {"label": _("Discount"), "amount": -contract.discount},
        {"label": _("Vehicle price"), "amount": contract.vehicle_price, "strong": True},
        {"label": _("Accessories"), "amount": contract.accessories_total},
        {"label": _("Value-added packages"), "amount": contract.packages_total},
        {"label": _("Insurance (estimate)"), "amount": contract.insurance_estimate},
        {"label": _("Registration and fees"), "amount": contract.fees},
    ]
    if contract.purchase_tax_included:
        rows.append({"label": _("Vehicle purchase tax"), "amount": contract.purchase_tax})
        if contract.purchase_tax_relief:
            rows.append({"label": _("New-energy relief"),
                         "amount": -contract.purchase_tax_relief})
    rows.append({"label": _("Total contract price"), "amount": contract.total_price,
                 "total": True})
    if contract.trade_in_value:
        rows.append({"label": _("Trade-in value credited"),
                     "amount": -contract.trade_in_value})
    rows.append({"label": _("Amount due"), "amount": contract.amount_due, "total": True})
    return rows


def _schedule(contract: Contract) -> list[dict]:
    """When the buyer pays what: the deposit at signing, the rest before delivery, and
    with a loan the lender's payment and the monthly instalments."""
    deposit = contract.deposit_amount
    rows = []
    if deposit:
        rows.append({"when": _("At signing"), "what": _("Deposit"), "amount": deposit})
    if contract.payment_plan == PaymentPlan.LOAN:
        rows.append({"when": _("Before delivery"),
                     "what": _("Down payment, less the deposit"),
                     "amount": max(contract.down_payment - deposit, ZERO)})
        rows.append({"when": _("Before delivery"),
                     "what": _("Loan paid out by the lender to the seller"),
                     "amount": contract.loan_principal})
        if contract.loan_term_months:
            rows.append({"when": _("Monthly, from the month after delivery"),
                         "what": _("%(months)s instalments to the lender") % {
                             "months": contract.loan_term_months},
                         "amount": contract.monthly_payment})
    else:
        rows.append({"when": _("Before delivery"), "what": _("Balance, less the deposit"),
                     "amount": max(contract.amount_due - deposit, ZERO)})
    return rows


def contract_context(contract: Contract, *, draft: bool) -> dict:
    store = contract.store
    store_terms = (DiscountPolicy.objects.filter(store_id=store.pk)
                   .values_list("contract_terms", flat=True).first() or "")
    terms, extra_terms = contract_terms(store_terms=store_terms,
                                        extra_terms=contract.extra_terms)
    loan = contract.payment_plan == PaymentPlan.LOAN
    interest = ZERO
    if loan and contract.loan_term_months:
        interest = total_interest(contract.loan_principal, contract.monthly_payment,
                                  contract.loan_term_months)
    return {
        "contract": contract,
        "store": store,
        "group": store.group,
        "trim": contract.trim,
        "consultant": contract.consultant,
        "draft": draft or not contract.number,
        "date": _local_date(contract.signed_at, store),
        "configuration": [line.strip() for line in contract.configuration.splitlines()
                          if line.strip()],
        "price_rows": _price_rows(contract),
        "amount_in_words": (rmb_in_words(contract.amount_due)
                            if (translation.get_language() or "").startswith("zh") else ""),
        "loan": loan,
        "total_interest": interest,
        "schedule": _schedule(contract),
        # Numbered here: the additional terms continue the numbering of the standard ones.
        "terms": list(enumerate(terms, start=1)),
        "extra_terms": list(enumerate(extra_terms, start=len(terms) + 1)),
    }


def contract_rendered(contract: Contract, *, draft: bool) -> RenderedPDF:
    return render_pdf("contracts/pdf/contract.html", contract_context(contract, draft=draft))


def contract_pdf(contract: Contract, *, draft: bool) -> bytes:
    """The sales contract (two A4 pages) in the active language. `draft` (or a contract
    without a number) prints a "not valid for signing" mark on every page."""
    return contract_rendered(contract, draft=draft).data


# --- The quote ----------------------------------------------------------------------------
def quote_context(version: QuoteVersion) -> dict:
    quote = version.quote
    store = quote.store
    current = version.pk == quote.current_version_id
    accessories = [{"name": line["name"], "quantity": line["quantity"],
                    "unit_price": Decimal(line["unit_price"]),
                    "amount": Decimal(line["amount"])} for line in version.accessories]
    packages = [{"name": line["name"], "price": Decimal(line["price"])}
                for line in version.packages]
    return {
        "quote": quote,
        "version": version,
        "store": store,
        "group": store.group,
        "trim": version.trim,
        "consultant": quote.consultant,
        "customer": quote.customer,
        "date": _local_date(version.created_at, store),
        "current": current,
        "valid_until": quote.valid_until if current else None,
        "accessories": accessories,
        "packages": packages,
        "loan": version.payment_plan == PaymentPlan.LOAN,
    }


def quote_pdf(version: QuoteVersion) -> bytes:
    """One page for the customer: the figures of one saved version of a quote."""
    return render_pdf("contracts/pdf/quote.html", quote_context(version)).data
