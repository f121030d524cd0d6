from django.urls import path

from reports.views import meetings as views

urlpatterns = [
    path("meetings/morning/", views.morning_meeting, name="morning_meeting"),
    path("meetings/evening/", views.evening_meeting, name="evening_meeting"),
    path("meetings/<str:meeting>/notes/", views.meeting_note_create, name="meeting_note_add"),
    path("meetings/notes/<int:pk>/remove/", views.meeting_note_delete,
         name="meeting_note_remove"),
]
