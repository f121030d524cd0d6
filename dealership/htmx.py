"""Small htmx helpers shared by the views."""

from __future__ import annotations

from django.http import HttpRequest


def partial_template(request: HttpRequest, template: str, partial: str) -> str:
    """`template#partial` for an htmx request, the whole page otherwise (STYLE.md: the
    htmx request renders a named partial of the same template)."""
    return f"{template}#{partial}" if request.htmx else template
