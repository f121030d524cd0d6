from django.urls import path

from reports.views import home as views

urlpatterns = [
    path("store/", views.store_overview, name="store_overview"),
]
