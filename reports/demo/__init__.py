"""Reports demo: one function per area (targets and the calendar first; then meeting notes,
a wall-screen link, the commission scheme, yesterday's daily report). With
`scale="history"` (the large group's other stores): their targets, wall-screen link and
commission scheme, so every store of the group has its reports' settings."""

from __future__ import annotations


def seed_reports(rng, *, store, scale: str) -> None:
    from reports.demo import commission, daily, kiosk, meetings, targets

    areas = (targets, meetings, kiosk, commission, daily)
    if scale == "history":
        if store.code == "DEMO":  # seeded already, with the showcase
            return
        areas, scale = (targets, kiosk, commission), "large"
    for area in areas:
        seed = getattr(area, "seed", None)
        if seed is not None:
            seed(rng, store=store, scale=scale)
