"""quotes screens (spliced into the "contracts" namespace)."""

from django.urls import path

from contracts.views import quotes

urlpatterns: list = [
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("quotes/new/", quotes.quote_create, name="quote_create"),
    path("quotes/calculate/", quotes.quote_calculate, name="quote_calculate"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/revise/", quotes.quote_revise, name="quote_revise"),
    path("quotes/<int:pk>/withdraw/", quotes.quote_withdraw, name="quote_withdraw"),
    path("quotes/<int:pk>/v<int:number>/", quotes.quote_version, name="quote_version"),
    path("quotes/<int:pk>/v<int:number>/pdf/", quotes.quote_version_pdf,
         name="quote_version_pdf"),
]
