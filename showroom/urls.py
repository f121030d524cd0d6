"""The showroom stage's URLs ("showroom" namespace)."""

from django.urls import path

from showroom.views import desk, inspection, invitations, talk_tracks, test_drives, visits

app_name = "showroom"
urlpatterns = [
    # The floor: the desk, roster and queue, walk-ins, visits, objections, talk tracks.
    path("desk/", desk.desk, name="desk"),
    path("roster/", desk.roster, name="roster"),
    path("roster/<int:pk>/state/", desk.duty_state, name="duty_state"),
    path("walk-in/", visits.walk_in, name="walk_in"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/close/", visits.visit_close_view, name="visit_close"),
    path("visits/<int:pk>/phone/", visits.visit_add_phone_view, name="visit_add_phone"),
    path("visits/<int:pk>/hand-over/", visits.visit_hand_over_view, name="visit_hand_over"),
    path("visits/<int:pk>/objections/", visits.objection_add_view, name="objection_add"),
    path("talk-tracks/", talk_tracks.talk_tracks, name="talk_tracks"),
    path("talk-tracks/new/", talk_tracks.talk_track_edit, name="talk_track_new"),
    path("talk-tracks/<int:pk>/edit/", talk_tracks.talk_track_edit, name="talk_track_edit"),
    # Test drives: calendars, booking, and a booking's transitions.
    path("test-drives/", test_drives.calendar, name="calendar"),
    path("test-drives/vehicles/<int:pk>/", test_drives.vehicle_calendar,
         name="vehicle_calendar"),
    path("test-drives/new/", test_drives.test_drive_book, name="test_drive_book"),
    path("test-drives/<int:pk>/", test_drives.test_drive_detail, name="test_drive_detail"),
    path("test-drives/<int:pk>/reveal/", test_drives.test_drive_reveal,
         name="test_drive_reveal"),
    path("test-drives/<int:pk>/start/", test_drives.test_drive_start, name="test_drive_start"),
    path("test-drives/<int:pk>/finish/", test_drives.test_drive_finish,
         name="test_drive_finish"),
    path("test-drives/<int:pk>/feedback/", test_drives.test_drive_feedback,
         name="test_drive_feedback"),
    path("test-drives/<int:pk>/cancel/", test_drives.test_drive_cancel,
         name="test_drive_cancel"),
    # Invitations (邀约) and the daily showroom inspection.
    path("invitations/", invitations.invitation_list, name="invitations"),
    path("invitations/new/", invitations.invitation_create_view, name="invitation_create"),
    path("invitations/<int:pk>/arrived/", invitations.invitation_arrived,
         name="invitation_arrived"),
    path("invitations/<int:pk>/cancel/", invitations.invitation_cancel_view,
         name="invitation_cancel"),
    path("inspection/", inspection.inspection, name="inspection"),
    path("inspection/items/", inspection.inspection_items, name="inspection_items"),
    path("inspection/items/<int:pk>/check/", inspection.inspection_check_view,
         name="inspection_check"),
    path("inspection/photos/<int:pk>/", inspection.inspection_photo, name="inspection_photo"),
]
