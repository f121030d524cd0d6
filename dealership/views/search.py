"""The header's search box and its results page: `/search/?q=` as a plain GET, and the
results partial alone for the live search as the user types (htmx)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.htmx import partial_template
from dealership.permissions import role_required
from dealership.search import SEARCH_ROLES, SearchQuery, search_for_user


@require_safe
@vary_on_headers("HX-Request")
@role_required(*SEARCH_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    query = SearchQuery.parse(request.GET.get("q"))
    context = {"query": query, "groups": search_for_user(user=request.user, query=query),
               "search_page": True}
    # A text too short or too long is bad input: said on the page, with a 400.
    return render(request, partial_template(request, "dealership/search.html", "search-results"),
                  context, status=400 if query.error else 200)
