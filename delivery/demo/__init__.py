"""Demo history of the delivery stage (seed_demo calls seed_delivery after the money
stage's demo)."""

from delivery.demo.seed import seed_delivery

__all__ = ["seed_delivery"]
