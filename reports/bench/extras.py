"""The figures that are not a page: a wall-screen panel's polls, the lead API (a new lead,
a duplicate, a concurrent burst), each periodic job (twice, rolled back) and the contract
PDF per page.

What the server must see is committed and removed afterwards (the kiosk link, the API key,
the leads the API made); what only this process needs runs in a transaction that is
rolled back.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from contracts.documents import contract_rendered
from contracts.management.commands.benchmark_contract_pdf import build_sample_contract
from dealership.models import Customer, Store, User
from leads.api import api_key_create
from leads.enums import Channel
from leads.models import ApiKey, Lead
from leads.services.routing import routing_loads_refresh
from reports.bench.clients import Answer
from reports.bench.figures import API_NEW_MEDIAN_MS, API_NEW_QUERIES, summary
from reports.models import KioskLink
from reports.services.kiosk import kiosk_link_create

# A client: (method, path, headers, body) -> Answer; made per cookie by the command.
Send = Callable[..., Answer]
# The jobs that talk to the outside world get the development sender here.
DEVELOPMENT_SENDER = "leads.senders.DevelopmentSender"


class Rollback(Exception):
    pass


# Not counted: PostgreSQL's BEGIN/COMMIT are never captured, and the SAVEPOINT/RELEASE
# pair that the rolled-back wrapper around a write puts in place of them would count a
# transaction's edges only there (as tests/leads/test_api_queries.py counts).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def count_queries(run: Callable[[], object]) -> int:
    """The statements that read or write rows."""
    # A request empties the connection's query log when it starts (request_started): the
    # log is emptied first, so the count is this run's statements alone.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        run()
    return sum(not query["sql"].startswith(TRANSACTION_CONTROL)
               for query in queries.captured_queries)


def timed(send: Callable[[], Answer], runs: int, *, expect: int) -> tuple[dict, Answer]:
    send()  # warm-up
    answers = [send() for _ in range(runs)]
    bad = [a.status for a in answers if a.status != expect]
    row = {**summary([a.ms for a in answers]), "status": answers[-1].status,
           "status_ok": not bad}
    return row, answers[-1]


# --- Wall screen ------------------------------------------------------------------------
def wall_figures(*, store: Store, actor: User, runs: int, client: Callable[[], object],
                 in_process: Callable[[], object]) -> dict:
    """A panel's poll without and with the ETag it answered (200, then 304)."""
    link, path = kiosk_link_create(store=store, label="benchmark", actor=actor)
    panel = f"{path}morning/1/"
    try:
        http = client()
        first, answer = timed(lambda: http.request("GET", panel), runs, expect=200)
        etag = {"If-None-Match": answer.headers.get("etag", "")}
        unchanged, _last = timed(lambda: http.request("GET", panel, headers=etag), runs,
                                 expect=304)
        local = in_process()
        local.request("GET", panel)
        first["queries"] = count_queries(lambda: local.request("GET", panel))
        etag = {"If-None-Match": local.request("GET", panel).headers.get("etag", "")}
        unchanged["queries"] = count_queries(lambda: local.request("GET", panel, headers=etag))
    finally:
        KioskLink.objects.filter(pk=link.pk).delete()
    return {"path": "/wall/<signed>/morning/1/", "first_poll": first,
            "unchanged_poll": unchanged}


# --- Lead API ---------------------------------------------------------------------------
def _new_phone() -> str:
    while True:
        national = "199" + f"{secrets.randbelow(10**8):08d}"
        if not Customer.objects.filter(phone=f"+86{national}").exists():
            return national


def _body(phone: str, tag: str) -> bytes:
    return json.dumps({"name": "基准测试客户", "phone": phone, "channel": Channel.WEBSITE,
                       "external_id": f"benchmark-{tag}-{secrets.token_hex(6)}"},
                      ensure_ascii=False).encode()


def api_figures(*, store: Store, runs: int, burst: int, clients: int,
                client: Callable[[], object], in_process: Callable[[], object]) -> dict:
    """New leads and duplicates over HTTP, one at a time; then `burst` new leads from
    `clients` threads at once (leads per second on the workers). The key and every lead
    and customer made are deleted afterwards."""
    api_key, key = api_key_create(store=store, channel=Channel.WEBSITE, name="benchmark",
                                  rate_limit_per_minute=1_000_000)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    path = "/api/v1/leads"
    made: list[int] = []
    http = client()

    def post(phone: str, tag: str) -> Answer:
        answer = http.request("POST", path, headers=headers, body=_body(phone, tag))
        if answer.status in (200, 201):
            made.append(json.loads(answer.body)["id"])
        return answer

    try:
        new, _answer = timed(lambda: post(_new_phone(), "new"), runs, expect=201)
        phone = _new_phone()
        post(phone, "first")
        duplicate, _answer = timed(lambda: post(phone, "dup"), runs, expect=200)
        new["queries"], duplicate["queries"] = _api_queries(in_process(), path, headers)
        result = {"new": new, "duplicate": duplicate,
                  "new_pass": new["median_ms"] <= API_NEW_MEDIAN_MS
                  and new["queries"] <= API_NEW_QUERIES}
        if burst:
            result["burst"] = _burst(client, path, headers, burst, clients, made)
        return result
    finally:
        _delete_leads(made)
        ApiKey.objects.filter(pk=api_key.pk).delete()


def _api_queries(local, path: str, headers: dict) -> tuple[int, int]:
    """Statements of a new lead and of a duplicate, in-process, rolled back."""
    counts: list[int] = []
    try:
        with transaction.atomic():
            phone = _new_phone()
            local.request("POST", path, headers=headers, body=_body(_new_phone(), "warm"))
            counts.append(count_queries(
                lambda: local.request("POST", path, headers=headers, body=_body(phone, "q"))))
            counts.append(count_queries(
                lambda: local.request("POST", path, headers=headers, body=_body(phone, "qd"))))
            raise Rollback
    except Rollback:
        pass
    return counts[0], counts[1]


def _burst(client, path: str, headers: dict, total: int, clients: int,
           made: list[int]) -> dict:
    phones = [_new_phone() for _ in range(total)]

    def post(phone: str) -> Answer:
        return client().request("POST", path, headers=headers, body=_body(phone, "burst"))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(post, phones))
    seconds = time.perf_counter() - started
    made += [json.loads(a.body)["id"] for a in answers if a.status in (200, 201)]
    errors = sum(a.status != 201 for a in answers)
    return {"leads": total, "clients": clients, "seconds": round(seconds, 3),
            "per_second": round(total / seconds, 1), "errors": errors,
            **summary([a.ms for a in answers])}


def _delete_leads(ids: list[int]) -> None:
    """The API's leads, their customers when they have no other lead, and the owners'
    open-lead counts put back."""
    if not ids:
        return
    with transaction.atomic():
        leads = Lead.objects.filter(pk__in=ids)
        owners = set(leads.exclude(owner=None).values_list("owner_id", flat=True))
        customers = set(leads.values_list("customer_id", flat=True))
        leads.delete()
        Customer.objects.filter(pk__in=customers, leads__isnull=True).delete()
        routing_loads_refresh(owner_ids=owners)


# --- Periodic jobs ----------------------------------------------------------------------
def job_figures(*, skip: tuple[str, ...] = ()) -> list[dict]:
    """Each task of the beat schedule, run twice in this process inside a transaction that
    is rolled back: the first run does the work, the second should find nothing to do.
    Files go to a temporary MEDIA_ROOT, messages to the development sender."""
    from dealership.celery import app

    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.tasks")
        except ModuleNotFoundError:
            continue
    rows = []
    names = sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})
    with tempfile.TemporaryDirectory() as media, override_settings(
            MEDIA_ROOT=media, LEADS_MESSAGE_SENDER=DEVELOPMENT_SENDER):
        for name in names:
            if name in skip:
                rows.append({"name": name, "skipped": "asked"})
                continue
            task = app.tasks.get(name)
            if task is None:
                rows.append({"name": name, "skipped": "not registered"})
                continue
            rows.append({"name": name, "runs": _twice(task)})
    return rows


def _twice(task) -> list[dict]:
    runs = []
    try:
        with transaction.atomic():
            for _run in range(2):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = task.run()
                    ms = (time.perf_counter() - started) * 1000
                runs.append({"queries": len(queries), "ms": round(ms, 1),
                             "result": _plain(result)})
            raise Rollback
    except Rollback:
        pass
    return runs


def _plain(result: object) -> object:
    try:
        json.dumps(result)
    except TypeError:
        return repr(result)
    return result


# --- Contract PDF -----------------------------------------------------------------------
def pdf_figures(*, runs: int, language: str = "zh-hans") -> dict:
    """The sample signed contract of benchmark_contract_pdf (built, then rolled back)."""
    timings: list[float] = []
    try:
        with transaction.atomic(), translation.override(language):
            contract = build_sample_contract()
            for _run in range(runs + 1):
                started = time.perf_counter()
                rendered = contract_rendered(contract, draft=False)
                timings.append((time.perf_counter() - started) * 1000)
            raise Rollback
    except Rollback:
        pass
    row = summary(timings[1:])
    return {**row, "first_ms": round(timings[0], 1), "pages": rendered.pages,
            "size_kib": round(len(rendered.data) / 1024, 1), "language": language,
            "ms_per_page": round(row["median_ms"] / max(rendered.pages, 1), 1)}
