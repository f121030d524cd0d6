"""The bounded load run: locust, headless, in a subprocess, against the benchmark's gunicorn.

50 staff (the roles' sessions of the run, each opening its own main pages with a pause
of 2–10 s between them: a busy showroom, ≈ 8 pages a second in all) and 10 wall screens
(each panel polled every 30 s with its ETag, as the page does). Errors and p95 are
reported for pages and polls separately.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from reports.bench.clients import host_header
from reports.bench.figures import percentile

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
MAX_SECONDS = 600
POLL_SECONDS = 30  # reports.views.wall.POLL_SECONDS
THINK_SECONDS = (2, 10)


def load_run(*, port: int, seconds: int, staff: list[dict], panels: list[str],
             staff_users: int = 50, screens: int = 10) -> dict:
    """staff: [{"cookie": ..., "pages": [(key, path), ...]}, ...]; panels: the wall paths."""
    seconds = max(10, min(seconds, MAX_SECONDS))
    binary = Path(sys.executable).with_name("locust")
    if not binary.exists():
        return {"error": "locust is not installed (pip install '.[dev]')"}
    with tempfile.TemporaryDirectory() as work:
        config, out = Path(work, "config.json"), Path(work, "out.json")
        config.write_text(json.dumps({
            "host_header": host_header(), "cookie_name": settings.SESSION_COOKIE_NAME,
            "staff": staff, "panels": panels, "staff_users": staff_users, "screens": screens,
            "poll_seconds": POLL_SECONDS, "think_seconds": THINK_SECONDS}),
            encoding="utf-8")
        users = staff_users + screens
        process = subprocess.run(  # noqa: S603 - our locust, our arguments
            [str(binary), "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
             "--spawn-rate", str(users), "--run-time", f"{seconds}s",
             "--host", f"http://127.0.0.1:{port}", "--stop-timeout", "10",
             "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            env={**os.environ, "BENCH_LOAD_CONFIG": str(config), "BENCH_LOAD_OUT": str(out)},
            capture_output=True, text=True, timeout=seconds + 120, check=False)
        if not out.exists():
            return {"error": f"locust exited with {process.returncode}: "
                             f"{process.stderr[-2000:]}"}
        data = json.loads(out.read_text(encoding="utf-8"))
    result = {"users": staff_users, "screens": screens, "seconds": seconds,
              "think_seconds": THINK_SECONDS, "poll_seconds": POLL_SECONDS,
              "samples": data["samples"]}
    for group in ("pages", "polls", "first_polls"):
        times = data["times"][group]
        result[group] = {
            "requests": len(times), "errors": data["errors"][group],
            "median_ms": round(percentile(times, 0.5), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None}
    return result

