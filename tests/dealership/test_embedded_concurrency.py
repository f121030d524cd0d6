"""The embedded default (SQLite, no DATABASE_URL) under parallel requests (issue 10, #10).

A real server (gunicorn, several workers and threads) on a fresh SQLite file, and twenty
API posts at once: SQLite serialises writers, and the settings (WAL, IMMEDIATE
transactions, a busy timeout) must turn that into waiting, never into "database is
locked" and a 500. Runs whatever database the suite itself uses.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("embedded")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                          "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE")}
    env.update(DATA_DIR=str(data), DEBUG="0", ALLOWED_HOSTS="127.0.0.1",
               SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0",
               SECRET_KEY="embedded-concurrency-test-key-0123456789abcdef")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    setup = (
        "from dealership.models import Store; Store.objects.create(code='DEMO', name='示范店')"
    )
    subprocess.run([*manage, "shell", "-c", setup], env=env, cwd=ROOT, check=True,
                   timeout=120)
    made = subprocess.run([*manage, "create_api_key", "--store", "DEMO", "--channel",
                           "website"], env=env, cwd=ROOT, check=True, timeout=120,
                          capture_output=True, text=True)
    key = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "dealership.wsgi:application", "--workers", "3", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn on the embedded default did not start")
        yield {"base": base, "key": key, "db": data / "db.sqlite3"}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        assert "database is locked" not in output


def _post(server, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server['base']}/api/v1/leads", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {server['key']}",
                 "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:300]}


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def test_twenty_parallel_leads_on_sqlite_are_all_stored(embedded_server):
    bodies = [{"name": f"客户{n}", "phone": f"+861390000{n:04d}", "channel": "website",
               "external_id": f"parallel-{n}"} for n in range(PARALLEL)]
    before = _count(embedded_server["db"], "leads_lead")

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(lambda body: _post(embedded_server, body), bodies))

    assert [status for status, _ in answers] == [201] * PARALLEL, answers
    assert len({answer["id"] for _, answer in answers}) == PARALLEL
    assert _count(embedded_server["db"], "leads_lead") == before + PARALLEL


def test_one_external_id_sent_twenty_times_at_once_gets_the_first_answer(embedded_server):
    body = {"name": "重复客户", "phone": "+8613700001111", "channel": "website",
            "external_id": "same-order-7"}
    before = _count(embedded_server["db"], "leads_lead")

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(lambda _n: _post(embedded_server, body), range(PARALLEL)))

    assert {status for status, _ in answers} == {201}, answers
    assert len({json.dumps(answer, sort_keys=True) for _, answer in answers}) == 1
    assert answers[0][1]["duplicate"] is False
    assert _count(embedded_server["db"], "leads_lead") == before + 1


# --- A chunked body (issue 10, #8): no Content-Length, read with the same 64 KB limit -----
def _post_chunked(server, payload: bytes) -> tuple[int, dict]:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(server["base"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("POST", "/api/v1/leads", body=iter([payload[:10], payload[10:]]),
                           headers={"Authorization": f"Bearer {server['key']}",
                                    "Content-Type": "application/json"},
                           encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_small_chunked_body_is_read(embedded_server):
    payload = json.dumps({"name": "分块客户", "phone": "+8613700002222",
                          "channel": "website"}).encode()
    before = _count(embedded_server["db"], "leads_lead")

    status, answer = _post_chunked(embedded_server, payload)

    assert (status, answer["duplicate"]) == (201, False)
    assert _count(embedded_server["db"], "leads_lead") == before + 1


def test_a_chunked_body_over_64_kb_is_refused_with_413(embedded_server):
    payload = json.dumps({"name": "大客户", "phone": "+8613700003333", "channel": "website",
                          "note": "x" * (64 * 1024)}).encode()
    before = _count(embedded_server["db"], "leads_lead")

    status, answer = _post_chunked(embedded_server, payload)

    assert status == 413
    assert list(answer["errors"]) == ["__all__"]
    assert _count(embedded_server["db"], "leads_lead") == before
