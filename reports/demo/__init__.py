"""Reports demo: one function per area (targets and the calendar first; then meeting notes,
a wall-screen link, the commission scheme, yesterday's daily report)."""

from __future__ import annotations


def seed_reports(rng, *, store, scale: str) -> None:
    from reports.demo import commission, daily, kiosk, meetings, targets

    for area in (targets, meetings, kiosk, commission, daily):
        seed = getattr(area, "seed", None)
        if seed is not None:
            seed(rng, store=store, scale=scale)
