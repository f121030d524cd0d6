"""Invitations (邀约) and the daily showroom inspection.

Spliced into the "showroom" namespace by showroom/urls.py."""

from django.urls import path

from showroom.views import inspection, invitations

urlpatterns = [
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
