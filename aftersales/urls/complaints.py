from django.urls import path  # noqa: F401

from aftersales.views import complaints as views  # noqa: F401

urlpatterns: list = []
