"""Medians, targets and the printed table of `manage.py benchmark`.

The targets are issue 15's: lists ≤ 6× the floor at the median and ≤ 150 ms at p95,
detail pages ≤ 4×, htmx partials ≤ 2×, search by a full phone ≤ 2× and by its last four
digits ≤ 3×, boards and dashboards also ≤ 8 queries, each page's growth ≤ 1.5×.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

GROWTH_LIMIT = 1.5


@dataclass(frozen=True)
class Target:
    ratio: float
    p95_ms: float | None = None
    queries: int | None = None

    def text(self) -> str:
        parts = [f"≤ {self.ratio:g}×"]
        if self.p95_ms is not None:
            parts.append(f"p95 ≤ {self.p95_ms:g} ms")
        if self.queries is not None:
            parts.append(f"≤ {self.queries} q")
        return ", ".join(parts)


# What kind of page each figure is, and what it must meet.
TARGETS: dict[str, Target] = {
    "list": Target(ratio=6, p95_ms=150),
    "board": Target(ratio=6, p95_ms=150, queries=8),
    "detail": Target(ratio=4),
    "partial": Target(ratio=2),
    "search_phone": Target(ratio=2),
    "search_suffix": Target(ratio=3),
}
API_NEW_MEDIAN_MS = 25
API_NEW_QUERIES = 10
API_LEADS_PER_SECOND = 60
LOAD_PAGE_P95_MS = 150
LOAD_POLL_P95_MS = 30


def percentile(timings: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 50 runs is the 48th fastest)."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(timings: list[float]) -> dict:
    return {"runs": len(timings), "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(percentile(timings, 0.95), 3)}


def judge(row: dict, floor_median: float) -> dict:
    """Adds ratio, target and pass to a page's row (pass is None: no target for it)."""
    row["ratio"] = round(row["median_ms"] / floor_median, 3) if floor_median else None
    target = TARGETS.get(row["kind"])
    if target is None or row["ratio"] is None:
        row["target"], row["pass"] = "", None
        return row
    failures = []
    if row["ratio"] > target.ratio:
        failures.append("ratio")
    if target.p95_ms is not None and row["p95_ms"] > target.p95_ms:
        failures.append("p95")
    if target.queries is not None and (row.get("queries") or 0) > target.queries:
        failures.append("queries")
    if row.get("status_ok") is False:
        failures.append("status")
    row["target"], row["pass"], row["failed"] = target.text(), not failures, failures
    return row


def add_growth(pages: list[dict], earlier_file: str | Path) -> str:
    """Growth column: this run's median over the earlier run's, page by page (by key)."""
    earlier = json.loads(Path(earlier_file).read_text(encoding="utf-8"))
    before = {row["key"]: row for row in earlier.get("pages", [])}
    for row in pages:
        old = before.get(row["key"])
        if old and old.get("median_ms"):
            row["growth"] = round(row["median_ms"] / old["median_ms"], 3)
            row["growth_pass"] = row["growth"] <= GROWTH_LIMIT
    meta = earlier.get("meta", {})
    return f"{meta.get('leads', '?')} leads, {meta.get('started_at', '?')}"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("pass" if ok else "FAIL")


def table(result: dict) -> str:
    """The printed table: one line per page, then the other figures."""
    floor = result["floor"]
    growth = any("growth" in row for row in result["pages"])
    header = ["page", "role", "queries", "ratio", "median ms", "p95 ms", "target", ""]
    if growth:
        header += ["growth", ""]
    lines = [header]
    lines.append(["floor: " + floor["label"], floor["role"], _q(floor.get("queries")), "1.00",
                  f"{floor['median_ms']:.1f}", f"{floor['p95_ms']:.1f}", "", ""]
                 + (["", ""] if growth else []))
    for row in result["pages"]:
        line = [row["label"], row["role"], _q(row.get("queries")),
                "—" if row["ratio"] is None else f"{row['ratio']:.2f}",
                f"{row['median_ms']:.1f}", f"{row['p95_ms']:.1f}", row["target"],
                _mark(row["pass"]) if row.get("status_ok", True) else f"HTTP {row['status']}"]
        if growth:
            line += [f"{row['growth']:.2f}" if "growth" in row else "—",
                     _mark(row.get("growth_pass"))]
        lines.append(line)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    right = {2, 3, 4, 5, 8}
    out = []
    for index, line in enumerate(lines):
        cells = [str(cell).rjust(widths[i]) if i in right else str(cell).ljust(widths[i])
                 for i, cell in enumerate(line)]
        out.append("| " + " | ".join(cells) + " |")
        if index == 0:
            out.append("| " + " | ".join(("-" * (w - 1) + ":") if i in right else "-" * w
                                          for i, w in enumerate(widths)) + " |")
    out += _others(result)
    return "\n".join(out)


def _q(count: int | None) -> str:
    return "—" if count is None else str(count)


def _others(result: dict) -> list[str]:
    out = []
    floor = result["floor"]["median_ms"]
    wall = result.get("wall")
    if wall:
        out.append("")
        for key in ("first_poll", "unchanged_poll"):
            row = wall[key]
            out.append(f"Wall panel, {key.replace('_', ' ')} (HTTP {row['status']}): "
                       f"{row['median_ms']:.1f} ms median, {row['p95_ms']:.1f} p95, "
                       f"{row.get('queries', '—')} queries, {row['median_ms'] / floor:.2f}×")
    api = result.get("api")
    if api:
        out.append("")
        for key in ("new", "duplicate"):
            row = api[key]
            out.append(f"Lead API, {key} lead: {row['median_ms']:.1f} ms median, "
                       f"{row['p95_ms']:.1f} p95, {row.get('queries', '—')} queries")
        if api.get("burst"):
            burst = api["burst"]
            out.append(f"Lead API burst: {burst['leads']} new leads by {burst['clients']} "
                       f"clients in {burst['seconds']:.2f} s = {burst['per_second']:.1f} "
                       f"leads/s ({burst['errors']} errors); target ≥ {API_LEADS_PER_SECOND}"
                       f" {_mark(burst['per_second'] >= API_LEADS_PER_SECOND)}")
        out.append(f"  new lead target ≤ {API_NEW_MEDIAN_MS} ms and ≤ {API_NEW_QUERIES} "
                   f"queries: {_mark(api.get('new_pass'))}")
    if result.get("jobs"):
        out.append("")
        out.append("Job (rolled back) | 1st run: queries, ms, result | 2nd run: queries, ms, "
                   "result")
        for job in result["jobs"]:
            if job.get("skipped"):
                out.append(f"{job['name']} | skipped: {job['skipped']}")
                continue
            first, second = job["runs"]
            out.append(f"{job['name']} | {first['queries']}, {first['ms']:.0f} ms, "
                       f"{first['result']} | {second['queries']}, {second['ms']:.0f} ms, "
                       f"{second['result']}")
    pdf = result.get("pdf")
    if pdf:
        out.append("")
        out.append(f"Contract PDF: {pdf['pages']} pages, {pdf['size_kib']:.1f} KiB, "
                   f"{pdf['median_ms']:.0f} ms median ({pdf['ms_per_page']:.0f} ms per page), "
                   f"first render {pdf['first_ms']:.0f} ms")
    load = result.get("load")
    if load:
        out.append("")
        if load.get("error"):
            out.append(f"Load run: {load['error']}")
        else:
            out.append(f"Load run: {load['users']} staff + {load['screens']} wall screens, "
                       f"{load['seconds']} s on loopback")
            for key, limit in (("pages", LOAD_PAGE_P95_MS), ("polls", LOAD_POLL_P95_MS)):
                row = load[key]
                ok = row["errors"] == 0 and row["p95_ms"] is not None and row["p95_ms"] <= limit
                out.append(f"  {key}: {row['requests']} requests, {row['errors']} errors, "
                           f"median {row['median_ms']} ms, p95 {row['p95_ms']} ms "
                           f"(target 0 errors, p95 ≤ {limit} ms) {_mark(ok)}")
    return out
