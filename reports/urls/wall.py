"""The wall screen, mounted at /wall/ (namespace "wall"): no login; the signed kiosk link
is the key."""

from django.urls import path  # noqa: F401

app_name = "wall"
urlpatterns = []
