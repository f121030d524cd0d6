"""The consultant-facing lead screens, spliced into the "leads" namespace by leads.urls."""

from django.urls import path

from leads.views import leads, my_day

urlpatterns = [
    path("", leads.lead_list, name="list"),
    path("export.csv", leads.lead_export, name="export"),
    path("new/", leads.lead_create, name="create"),
    path("phone-check/", leads.phone_check, name="phone_check"),
    path("<int:pk>/", leads.lead_detail, name="detail"),
    path("<int:pk>/touch/", leads.lead_touch, name="touch"),
    path("<int:pk>/grade/", leads.lead_grade, name="grade"),
    path("<int:pk>/lost/", leads.lead_request_lost_view, name="request_lost"),
    path("<int:pk>/reassign/", leads.lead_reassign, name="reassign"),
    path("my-day/notifications/read/", my_day.notifications_read, name="notifications_read"),
]
