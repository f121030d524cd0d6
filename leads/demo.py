"""Demo history of the leads stage (filled in by the leads issue)."""

from __future__ import annotations

import random

from dealership.models import Store


def seed_leads(rng: random.Random, *, store: Store, scale: str) -> None:
    """90 days of leads, touches and campaigns for the demo store."""
