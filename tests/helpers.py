"""Small helpers shared by the view tests."""

from __future__ import annotations

# Headers of a request htmx makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def english(user):
    """Screens speak the user's language: exact messages are asserted in English, the
    msgids, as an English-speaking user sees them."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user
