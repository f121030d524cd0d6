"""The response scanner of issue 10: no test response served to a viewer who may never see
personal numbers in full carries an unmasked mobile or ID number.

`tests/conftest.py` wraps `django.test.Client.request` with `scan_response` for every test
(a test opts out with `@pytest.mark.allow_full_pii("why")`). Who may never see full numbers
follows the rules, not a list kept here: an anonymous visitor (kiosk, public pages, the lead
API) and every role whose permissions lack `dealership.view_customer_pii` (today the
receptionist, marketing and group_exec). Consultants, managers, finance… see their own
scope in full after an audited reveal, so their pages cannot be judged by a pattern.

A number the viewer sent in the same request (the phone a receptionist just typed, echoed
back in a form with an error) is theirs already, not a disclosure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

PII_PERMISSION = "dealership.view_customer_pii"

# 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, 0086…, %2B86… (URL-encoded).
MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|%2[Bb]|00)?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?![0-9])")
# An 18-character resident ID number (the last character may be X). Runs inside longer
# tokens (hashes, CSRF tokens, hex ids) are not numbers a person reads.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
SCANNED_SUBTYPES = ("json", "xml", "csv", "javascript")
# The example of documentation (the import form, the API schema): China Mobile's SMS
# service centre, a public number long used as the example of a mobile number.
EXAMPLE_NUMBERS = frozenset({"13800138000"})


@dataclass(frozen=True)
class Leak:
    viewer: str
    method: str
    url: str
    kind: str
    found: str
    context: str

    def __str__(self) -> str:
        return (f"unmasked {self.kind} {self.found!r} served to {self.viewer} by "
                f"{self.method} {self.url}: …{self.context}…")


@cache
def roles_without_full_pii() -> frozenset[str]:
    from dealership.roles import role_permissions_merged

    return frozenset(role for role, perms in role_permissions_merged().items()
                     if PII_PERMISSION not in perms)


def viewer_without_full_pii(request: HttpRequest) -> str | None:
    """Who the request was served to, when that viewer may never see full numbers; None
    when they may (or when it cannot be told without a query: the scan adds none)."""
    user = request.__dict__.get("user")
    if user is None:  # answered before authentication (a redirect to HTTPS, say)
        return "anonymous"
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            # Nothing looked at the user: anonymous unless the request carried a session.
            return None if settings.SESSION_COOKIE_NAME in request.COOKIES else "anonymous"
        user = user._wrapped
    if not user.is_authenticated:
        return "anonymous"
    if user.is_superuser or user.role not in roles_without_full_pii():
        return None
    return f"{user.role} {user.get_username()!r}"


def _numbers_in(value: str) -> Iterator[str]:
    for run in re.findall(r"[0-9Xx][0-9Xx +\-]{9,}", value):
        yield re.sub(r"[^0-9X]", "", run.upper())


def submitted_numbers(request: HttpRequest) -> set[str]:
    """The digit runs of everything the viewer sent: query, form fields and raw body."""
    values: list[str] = [v for _key, vs in request.GET.lists() for v in vs]
    post = request.__dict__.get("_post")
    if post is not None:
        values += [v for _key, vs in post.lists() for v in vs if isinstance(v, str)]
    body = request.__dict__.get("_body")
    if body:
        values.append(body.decode("utf-8", "replace"))
    return {number for value in values for number in _numbers_in(value)}


def find_leak(text: str, *, submitted: Iterable[str] = ()) -> tuple[str, str, str] | None:
    """The first unmasked number in `text` that the viewer did not send: (kind, the match,
    some text around it)."""
    sent = tuple(submitted)
    for kind, pattern in (("mobile number", MOBILE), ("ID number", ID_NUMBER)):
        for match in pattern.finditer(text):
            digits = re.sub(r"[^0-9X]", "", match.group(1).upper())
            if digits in EXAMPLE_NUMBERS or any(digits in number for number in sent):
                continue
            start, end = match.span()
            return kind, match.group(0), text[max(start - 60, 0):end + 60]
    return None


def _is_text(response: HttpResponseBase) -> bool:
    if isinstance(response, FileResponse):  # stored files (PDFs, photos, backups)
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    main, _slash, sub = content_type.partition("/")
    return main == "text" or sub.endswith(SCANNED_SUBTYPES)


def _leak(request: HttpRequest, viewer: str, body: bytes, charset: str) -> Leak | None:
    found = find_leak(body.decode(charset or "utf-8", "replace"),
                      submitted=submitted_numbers(request))
    if found is None:
        return None
    kind, match, context = found
    return Leak(viewer=viewer, method=request.method or "", url=request.get_full_path(),
                kind=kind, found=match, context=context.replace("\n", " "))


def scan_response(response: HttpResponseBase, report) -> None:
    """Check one test-client response; `report(leak)` is called for a leak. A streamed
    response is checked as the test reads it, so its queries still run where they did."""
    request = getattr(response, "wsgi_request", None)
    if request is None or request.path.startswith(settings.STATIC_URL) or not _is_text(
            response):
        return
    viewer = viewer_without_full_pii(request)
    if viewer is None:
        return
    if not getattr(response, "streaming", False):
        leak = _leak(request, viewer, response.content, response.charset)
        if leak is not None:
            report(leak)
        return
    if response.is_async:
        return

    chunks = response.streaming_content

    def checked() -> Iterator[bytes]:
        seen: list[bytes] = []
        for chunk in chunks:
            seen.append(chunk)
            yield chunk
        leak = _leak(request, viewer, b"".join(seen), response.charset)
        if leak is not None:
            report(leak)

    response.streaming_content = checked()
