"""Demo history of the money stage (seed_demo calls seed_contracts; the delivery stage's
demo reads where each signed story is meant to end with delivery_targets)."""

from contracts.demo.seed import delivery_targets, renumber, seed_contracts

__all__ = ["delivery_targets", "renumber", "seed_contracts"]
