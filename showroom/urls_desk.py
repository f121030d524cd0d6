"""The floor: roster and queue, walk-ins, visits, objections, talk tracks.

Spliced into the "showroom" namespace by showroom/urls.py (which routes "desk" itself)."""

from django.urls import path

from showroom.views import desk as desk_views
from showroom.views import talk_tracks, visits

urlpatterns = [
    path("roster/", desk_views.roster, name="roster"),
    path("roster/<int:pk>/state/", desk_views.duty_state, name="duty_state"),
    path("walk-in/", visits.walk_in, name="walk_in"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/close/", visits.visit_close_view, name="visit_close"),
    path("visits/<int:pk>/phone/", visits.visit_add_phone_view, name="visit_add_phone"),
    path("visits/<int:pk>/objections/", visits.objection_add_view, name="objection_add"),
    path("talk-tracks/", talk_tracks.talk_tracks, name="talk_tracks"),
    path("talk-tracks/new/", talk_tracks.talk_track_edit, name="talk_track_new"),
    path("talk-tracks/<int:pk>/edit/", talk_tracks.talk_track_edit, name="talk_track_edit"),
]
