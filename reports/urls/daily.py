from django.urls import path

from reports.views import daily as views

urlpatterns = [
    path("daily/", views.daily_reports, name="daily_reports"),
    path("daily/make/", views.daily_report_make, name="daily_report_make"),
    path("daily/<int:pk>/download/", views.daily_report_download,
         name="daily_report_download"),
]
