"""Demo history of the money stage (seed_demo calls seed_contracts)."""

from contracts.demo.seed import renumber, seed_contracts

__all__ = ["renumber", "seed_contracts"]
