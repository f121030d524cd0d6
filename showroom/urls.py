"""The showroom stage's URLs, one module per area."""

from django.urls import path

from showroom import urls_desk, urls_invitations, urls_testdrives
from showroom.views import desk

app_name = "showroom"
urlpatterns = [
    path("desk/", desk.desk, name="desk"),
    *urls_desk.urlpatterns,
    *urls_testdrives.urlpatterns,
    *urls_invitations.urlpatterns,
]
