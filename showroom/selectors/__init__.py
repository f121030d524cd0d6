"""Reads of the showroom stage, one module per screen family, scoped to the user's store
and role."""
