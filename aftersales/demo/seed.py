"""After-sales demo: one function per area, in the order the story needs (care plans
first, from delivery's delivered contracts; then service, surveys, complaints, referrals,
campaigns). With `scale="history"` (the large group's five years for `store`):
aftersales.demo.history."""

from __future__ import annotations


def seed_aftersales(rng, *, store, scale: str) -> None:
    if scale == "history":
        from aftersales.demo.history import seed_history

        seed_history(rng, store=store)
        return
    from aftersales.demo import campaigns, care, complaints, loyalty, owners, service, surveys

    for area in (care, owners, service, surveys, complaints, loyalty, campaigns):
        seed = getattr(area, "seed", None)
        if seed is not None:
            seed(rng, store=store, scale=scale)
