from django.urls import path

from delivery.views import handover

urlpatterns = [
    path("inspection/items/", handover.pdi_items, name="pdi_items"),
    path("inspection/items/<int:pk>/", handover.pdi_item_edit, name="pdi_item_edit"),
    path("orders/<int:pk>/inspection/", handover.pdi, name="pdi"),
    path("calendar/", handover.delivery_calendar, name="calendar"),
    path("orders/<int:pk>/appointment/", handover.appointment, name="appointment"),
    path("orders/<int:pk>/handover/", handover.handover, name="handover"),
    path("orders/<int:pk>/handover/complete/", handover.handover_complete,
         name="handover_complete"),
    path("orders/<int:pk>/handover/photo/", handover.handover_photo, name="handover_photo"),
]
