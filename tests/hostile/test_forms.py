"""The hostile-input battery over every form (issue 10).

Every POST endpoint the URL resolver knows is either in `world.ENTRIES` (the role that may
use it, the object it acts on, the page whose form gives its fields) or in `world.EXCLUDED`
with a reason; `test_every_post_endpoint_is_in_the_battery` fails on a new one.

For each entry, Hypothesis sends `EXAMPLES` requests built from the form's valid values with
fields replaced by hostile ones (see payloads.py), dropped or repeated, in four encodings,
plain and htmx, and checks: no 5xx (also on the page an accepted request redirects to); a
refused request (4xx) changes no row count, not even the audit trail's, nor the object it
acts on; nothing comes back with a `<script>` or `onerror=` payload unescaped.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, note, settings
from hypothesis.control import currently_in_test_context

from tests.hostile import harness
from tests.hostile.payloads import (
    DATE_LIKE,
    FILE_CONTENTS,
    FILE_NAMES,
    IMG_ONERROR,
    NUMBER_LIKE,
    SCRIPT,
    Mutation,
    mutations,
    queries,
)
from tests.hostile.world import ENTRIES, EXCLUDED, Entry, World

pytestmark = [pytest.mark.hostile, pytest.mark.django_db]

# Examples per form: the CI budget (about 60 forms; a few minutes on SQLite).
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "20"))

BATTERY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def test_every_post_endpoint_is_in_the_battery():
    covered = {entry.url for entry in ENTRIES}
    endpoints = harness.post_endpoints()
    missing = sorted(name for name in endpoints
                     if name not in covered and name not in EXCLUDED
                     and f"{name.split(':')[0]}:*" not in EXCLUDED)
    assert missing == [], "POST endpoints without a battery entry (tests/hostile/world.py)"
    stale = sorted(covered - set(endpoints))
    assert stale == [], "battery entries for URLs that no longer take a POST"


@pytest.fixture
def world(db) -> World:
    return World()


def _prepare(entry: Entry, world: World,
             client) -> tuple[str, dict, dict[str, list[str]], dict]:
    """The target URL, the form's valid values and its file fields, read off its page."""
    # Built now, outside the examples' savepoints: the consultant whose pages are checked
    # after each accepted request (and who fills the roster and the routing).
    world.consultant  # noqa: B018
    actor = getattr(world, entry.actor)
    target_kwargs = {}
    if entry.obj:
        target_kwargs["pk"] = getattr(world, entry.obj).pk
    if entry.url_kwargs:
        target_kwargs.update(entry.url_kwargs(world))
    target = reverse(entry.url, kwargs=target_kwargs or None)
    query = entry.query(world) if entry.query else {}
    page = entry.page(world) if entry.page else target + (f"?{urlencode(query)}" if query else "")
    if actor is not None:
        client.force_login(actor)
    response = client.get(page, follow=True)
    assert response.status_code == 200, f"{page} as {entry.actor}: {response.status_code}"
    page = response.request["PATH_INFO"]
    form = harness.form_for(response.content.decode(), page, target)
    if form is None and not (entry.fieldless or entry.extra):
        pytest.fail(f"no <form> posting to {target} on {page} as {entry.actor}")
    fields = dict(form["fields"]) if form else {}
    for name, value in entry.extra.items():
        # A prefixed form names its fields after the row: "refund-{pk}-receipt_number".
        name = name.format(pk=target_kwargs.get("pk"))
        fields[name] = [value(world) if callable(value) else value]
    files = {name: entry.files.get(name) for name in (form["files"] if form else [])}
    return target, query, fields, files


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_form_survives_hostile_input(entry: Entry, world: World, client):
    target, query, baseline, file_fields = _prepare(entry, world, client)

    @BATTERY
    @given(mutation=mutations(baseline, file_fields), query=queries(query))
    def run(mutation, query):
        url = target + (f"?{urlencode(query, doseq=True)}" if query else "")
        _attempt(entry, world, client, url, mutation)

    run()


# One field at a time, every field of every form gets each payload of its type: the
# extreme dates on each date, the NaN and the overflow on each number, the script, the
# NUL and the 70,000 characters on each text. Deterministic, so no field is left to luck.
SWEEP_TEXT = [SCRIPT, IMG_ONERROR, "a\x00b", "x" * 70_000, "\u202eabc\u200b", "=1+1"]
SWEEP_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1900-01-01"]
SWEEP_NUMBERS = ["NaN", "Infinity", "-1", "1e309", "99999999999999999999"]


def _sweep_values(valid: str) -> list[str]:
    if DATE_LIKE.match(valid):
        suffix = valid[10:]  # a datetime keeps its time: 0001-01-01T10:00
        return [day + suffix for day in SWEEP_DATES] + SWEEP_TEXT[:1]
    if NUMBER_LIKE.match(valid):
        return SWEEP_NUMBERS + SWEEP_TEXT[:1]
    return SWEEP_TEXT


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_form_field_by_field_sweep(entry: Entry, world: World, client):
    target, query, baseline, files = _prepare(entry, world, client)
    url = target + (f"?{urlencode(query)}" if query else "")
    valid_files = {name: file for name, file in files.items() if file is not None}
    for name, valid in baseline.items():
        for value in _sweep_values(valid[0] if valid else ""):
            mutation = Mutation(values={**baseline, name: [value]}, files=valid_files)
            _attempt(entry, world, client, url, mutation)
    for name in files:
        for filename, content in zip(FILE_NAMES, FILE_CONTENTS, strict=True):
            mutation = Mutation(values=baseline, files={**valid_files, name: (filename, content)})
            _attempt(entry, world, client, url, mutation)


def _attempt(entry: Entry, world: World, client, url: str, mutation: Mutation) -> None:
    """Send one request, in a savepoint rolled back afterwards, and check it."""
    actor = getattr(world, entry.actor)
    watched = getattr(world, entry.obj) if entry.obj else None
    with harness.rolled_back():
        if actor is not None:
            client.force_login(actor)
        else:
            client.logout()
        counts, state = harness.row_counts(), harness.row_state(watched)
        where = f"POST {url} as {entry.actor}: {mutation!r}"[:2000]
        if currently_in_test_context():
            note(where)

        response = harness.send(client, url, mutation)

        assert response.status_code < 500, where
        harness.assert_no_raw_payload(response, where)
        if 400 <= response.status_code < 500:
            assert harness.row_counts() == counts, f"{where}: refused, yet rows changed"
            assert harness.row_state(watched) == state, f"{where}: refused, yet changed"
            return
        # A redirect after a form-encoded POST is the form accepted: what was typed is
        # what is stored (JSON or plain text leaves request.POST empty, so no form ran).
        if (entry.roundtrip and response.status_code == 302
                and mutation.encoding in ("multipart", "urlencoded")):
            entry.roundtrip(world, mutation.values)
        _follow(client, response, where)
        # What was stored must not break the pages of the consultant it may be routed to.
        client.force_login(world.consultant)
        for page in AFTER_PAGES:
            shown = client.get(page)
            assert shown.status_code < 500, f"{where} → GET {page} as consultant"
            harness.assert_no_raw_payload(shown, f"{where} → GET {page} as consultant")


def _follow(client, response, where: str) -> None:
    """The page an accepted request leads to must show what was stored without a 5xx:
    a stored value that breaks the next page is the worst kind of partial write."""
    location = response.get("HX-Redirect") or response.get("Location") or ""
    if not location.startswith("/") or location.startswith("//"):
        return
    path = urlsplit(location)
    followed = client.get(path.path + (f"?{path.query}" if path.query else ""))
    assert followed.status_code < 500, f"{where} → GET {location}"
    harness.assert_no_raw_payload(followed, f"{where} → GET {location}")


# The consultant's pages that show what others store for them (the defect 1:
# a walk-in with a year-1 arrival broke the assigned consultant's day on PostgreSQL).
AFTER_PAGES = ["/my-day/", "/leads/"]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.actor != "anonymous"],
                         ids=lambda entry: entry.id)
def test_form_refuses_anonymous_without_writing(entry: Entry, world: World, client):
    """Not signed in: a redirect to the sign-in page or a refusal, and nothing written."""
    target_kwargs = {"pk": getattr(world, entry.obj).pk} if entry.obj else {}
    if entry.url_kwargs:
        target_kwargs.update(entry.url_kwargs(world))
    target = reverse(entry.url, kwargs=target_kwargs or None)
    counts = harness.row_counts()

    response = client.post(target, {"note": "x"}, HTTP_HX_REQUEST="true")

    assert response.status_code in (302, 401, 403, 404)
    assert harness.row_counts() == counts


# --- The reports' filters (issue 13): forms sent by GET ------------------------------------
# (actor, page, {field: a valid value}): the period, month and day every report page is
# filtered by. Each field gets each hostile value of its type, one at a time: the page
# answers 200 or 400 (never a 5xx), shows nothing unescaped, and writes nothing.
GET_FILTERS = [
    ("manager", "/reports/charts/funnel/", {"first_day": lambda w: _offset(w, -20),
                                            "last_day": lambda w: _offset(w, 0)}),
    ("marketing", "/reports/charts/lost/", {"first_day": lambda w: _offset(w, -20),
                                            "last_day": lambda w: _offset(w, 0)}),
    ("manager", "/reports/charts/ranking/", {"first_day": lambda w: _offset(w, -20),
                                             "last_day": lambda w: _offset(w, 0),
                                             "format": lambda w: "csv"}),
    ("group_exec", "/reports/group/", {"day": lambda w: _offset(w, -1)}),
    ("group_exec", "/reports/group/", {"month": lambda w: f"{w.store.today():%Y-%m}"}),
    ("admin", "/reports/group/export.csv", {"month": lambda w: f"{w.store.today():%Y-%m}"}),
    ("manager", "/reports/targets/", {"month": lambda w: f"{w.store.today():%Y-%m}"}),
    ("consultant", "/reports/targets/", {"month": lambda w: f"{w.store.today():%Y-%m}"}),
    ("supervisor", "/reports/meetings/morning/", {"day": lambda w: _offset(w, 0)}),
    ("manager", "/reports/meetings/evening/", {"day": lambda w: _offset(w, -1)}),
    ("manager", "/reports/daily/", {"month": lambda w: f"{w.store.today():%Y-%m}",
                                    "page": lambda w: "1"}),
    ("consultant", "/reports/commission/", {"month": lambda w: f"{w.store.today():%Y-%m}"}),
    ("finance", "/reports/commission/", {"month": lambda w: f"{w.store.today():%Y-%m}",
                                         "format": lambda w: "csv"}),
    ("manager", "/reports/wall-links/", {"page": lambda w: "1"}),
]
GET_SWEEP = [SCRIPT, IMG_ONERROR, "a\x00b", "x" * 10_000, "' OR 1=1 --", "\u202eabc\u200b",
             "0001-01-01", "9999-12-31", "2026-02-30", "0000-00", "2026-13", "99999-01",
             "-1", "NaN", "1e309", "99999999999999999999", "\uff12\uff10\uff12\uff16-01",
             "\u0662\u0660\u0662\u0666-\u0660\u0661"]


def _offset(world: World, days: int) -> str:
    return (world.store.today() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("actor", "page", "params"), GET_FILTERS,
                         ids=[f"{page}-as-{actor}-{'-'.join(params)}"
                              for actor, page, params in GET_FILTERS])
def test_report_filter_survives_hostile_input(actor, page, params, world: World, client):
    baseline = {name: value(world) for name, value in params.items()}
    client.force_login(getattr(world, actor))
    assert client.get(page, baseline).status_code == 200, f"{page} as {actor}"
    counts = harness.row_counts()
    for name in baseline:
        for value in GET_SWEEP:
            query = {**baseline, name: value}
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.get(page, query, **headers)
                where = f"GET {page}?{urlencode(query)[:300]} as {actor}"
                assert response.status_code in (200, 400), \
                    f"{where}: {response.status_code}"
                harness.assert_no_raw_payload(response, where)
        # The field repeated, and left out.
        for query in ({**baseline, name: [baseline[name], SCRIPT]},
                      {k: v for k, v in baseline.items() if k != name}):
            response = client.get(page, query)
            assert response.status_code in (200, 400), f"GET {page}?{urlencode(query, doseq=True)}"
            harness.assert_no_raw_payload(response, f"GET {page} as {actor}")
    assert harness.row_counts() == counts, f"GET {page} wrote rows"


# --- The reports' forms: a refusal keeps what was typed (issue 13) ---------------------------
# (entry, what is typed: one refused field and the others as the user left them, the values
# the re-shown form must still hold).
KEEPS_TYPED = [
    ("reports:targets-as-manager", {"t_store_deals": "-3", "t_store_walk_ins": "321"},
     ["321", "-3"]),
    ("reports:target_calendar-as-manager", {"daily_report_at": "25:99"}, ["25:99"]),
    ("reports:closed_day_create-as-manager", {"day": "1900-01-01", "note": "全店培训日"},
     ["1900-01-01", "全店培训日"]),
    ("reports:meeting_note_add-as-manager", {"topic": "no-such-topic", "body": "展车需要清洁"},
     ["展车需要清洁"]),
    ("reports:kiosk_links-as-manager", {"label": "展厅" * 26}, ["展厅" * 26]),
    ("reports:daily_report_make-as-manager", {"day": "2000-01-01"}, ["2000-01-01"]),
    ("reports:commission_scheme-as-manager",
     {"finance_percent": "101", "note": "第三季度方案", "tiers-1-amount_per_unit": "512.00"},
     ["101", "第三季度方案", "512.00"]),
]
ENTRY_BY_ID = {entry.id: entry for entry in ENTRIES}


@pytest.mark.parametrize(("entry_id", "typed", "kept"), KEEPS_TYPED,
                         ids=[entry_id for entry_id, _typed, _kept in KEEPS_TYPED])
def test_report_form_refusal_keeps_what_was_typed(entry_id, typed, kept, world: World,
                                                  client):
    entry = ENTRY_BY_ID[entry_id]
    target, _query, baseline, _files = _prepare(entry, world, client)
    counts = harness.row_counts()

    for htmx in (False, True):
        mutation = Mutation(values={**baseline, **{k: [v] for k, v in typed.items()}},
                            encoding="urlencoded", htmx=htmx)
        response = harness.send(client, target, mutation)

        assert response.status_code == 400, f"{entry_id} htmx={htmx}"
        shown = response.content.decode()
        assert [value for value in kept if value not in shown] == [], f"{entry_id} htmx={htmx}"
    assert harness.row_counts() == counts
