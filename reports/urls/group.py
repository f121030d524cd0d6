from django.urls import path

from reports.views import group as views

urlpatterns = [
    path("group/", views.group_overview, name="group_overview"),
    path("group/export.csv", views.group_export, name="group_export"),
]
