"""After-sales URLs, one module per area, all under /aftersales/ (namespace "aftersales").
The public survey page is the exception: it lives in `surveys.public_urlpatterns`, mounted
at /s/ by the root URLconf (no login, no namespace of the staff pages)."""

from aftersales.urls import campaigns, care, complaints, loyalty, owners, service, surveys

app_name = "aftersales"
urlpatterns = [
    *owners.urlpatterns,
    *care.urlpatterns,
    *service.urlpatterns,
    *surveys.urlpatterns,
    *complaints.urlpatterns,
    *loyalty.urlpatterns,
    *campaigns.urlpatterns,
]
