"""Test drives: calendars, booking, and a booking's transitions (spliced into "showroom")."""

from django.urls import path

from showroom.views import test_drives

urlpatterns = [
    path("test-drives/", test_drives.calendar, name="calendar"),
    path("test-drives/vehicles/<int:pk>/", test_drives.vehicle_calendar,
         name="vehicle_calendar"),
    path("test-drives/new/", test_drives.test_drive_book, name="test_drive_book"),
    path("test-drives/<int:pk>/", test_drives.test_drive_detail, name="test_drive_detail"),
    path("test-drives/<int:pk>/start/", test_drives.test_drive_start, name="test_drive_start"),
    path("test-drives/<int:pk>/finish/", test_drives.test_drive_finish,
         name="test_drive_finish"),
    path("test-drives/<int:pk>/feedback/", test_drives.test_drive_feedback,
         name="test_drive_feedback"),
    path("test-drives/<int:pk>/cancel/", test_drives.test_drive_cancel,
         name="test_drive_cancel"),
]
