"""The manager's wall-screen links, under /reports/ (namespace "reports"). The wall screen
itself is reports.urls.wall, mounted at /wall/."""

from django.urls import path

from reports.views import wall as views

urlpatterns = [
    path("wall-links/", views.kiosk_links, name="kiosk_links"),
    path("wall-links/<int:pk>/revoke/", views.kiosk_link_revoke_view, name="kiosk_link_revoke"),
]
