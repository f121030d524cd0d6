from django.urls import path  # noqa: F401

from aftersales.views import owners as views  # noqa: F401

urlpatterns: list = []
