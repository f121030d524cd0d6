"""The contracts stage's URLs, one module per area, spliced into one namespace."""

from contracts import urls_approvals, urls_contracts, urls_quotes

app_name = "contracts"
urlpatterns = [*urls_quotes.urlpatterns, *urls_approvals.urlpatterns,
               *urls_contracts.urlpatterns]
