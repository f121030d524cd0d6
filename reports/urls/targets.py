from django.urls import path

from reports.views import targets as views

urlpatterns = [
    path("targets/", views.target_board_page, name="targets"),
    path("targets/copy/", views.target_copy, name="target_copy"),
    path("targets/calendar/", views.target_calendar, name="target_calendar"),
    path("targets/calendar/closed/", views.closed_day_create, name="closed_day_create"),
    path("targets/calendar/closed/<int:pk>/remove/", views.closed_day_delete,
         name="closed_day_delete"),
]
