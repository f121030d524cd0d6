"""Reads of the leads stage, one module per screen family, scoped to the user's store and
role."""
