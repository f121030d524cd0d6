#!/usr/bin/env python3
"""Interleaved timing of two pages served on loopback: ours and a peer's, same harness.

    python scripts/peer/compare.py --ours URL --ours-cookie NAME=VALUE \
        --peer URL --peer-cookie NAME=VALUE [--requests 50] [--warmup 5] [--json FILE]

Each round asks ours, then the peer (the order alternates every round), one fresh
connection per request, the whole body read; medians and p95 of wall time per side and
the ratio peer / ours. Standard library only, so it runs with either project's Python.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlsplit


def fetch(url: str, cookie: str) -> tuple[int, int, float]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    try:
        # Both behind the same (absent) TLS proxy: the forwarded scheme keeps a production
        # configuration (SECURE_SSL_REDIRECT) from answering with a redirect.
        conn.request("GET", path, headers={"Cookie": cookie, "Host": parts.netloc,
                                           "Accept-Language": "en",
                                           "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, len(body), (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", required=True)
    parser.add_argument("--ours-cookie", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--peer-cookie", required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    sides = {"ours": (args.ours, args.ours_cookie), "peer": (args.peer, args.peer_cookie)}
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    sizes: dict[str, int] = {}
    for n in range(args.warmup + args.requests):
        order = ("ours", "peer") if n % 2 == 0 else ("peer", "ours")
        for side in order:
            status, size, ms = fetch(*sides[side])
            if status != 200:
                print(f"{side}: HTTP {status} from {sides[side][0]}", file=sys.stderr)
                return 1
            sizes[side] = size
            if n >= args.warmup:
                times[side].append(ms)
    result = {side: {"url": sides[side][0], "median_ms": round(statistics.median(t), 1),
                     "p95_ms": round(p95(t), 1), "bytes": sizes[side], "requests": len(t)}
              for side, t in times.items()}
    result["peer_over_ours"] = round(result["peer"]["median_ms"] / result["ours"]["median_ms"], 1)
    for side in ("ours", "peer"):
        row = result[side]
        print(f"{side:5} median {row['median_ms']:8.1f} ms   p95 {row['p95_ms']:8.1f} ms   "
              f"{row['bytes']:>8} bytes   {row['url']}")
    print(f"peer / ours: {result['peer_over_ours']}x")
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
