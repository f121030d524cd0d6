from django.urls import path

from aftersales.views import complaints as views

urlpatterns = [
    path("complaints/", views.complaint_board, name="complaint_board"),
    path("complaints/all/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    *(path(f"complaints/<int:pk>/{action}/", views.complaint_act, {"action": action},
           name=f"complaint_{action}")
      for action in views.ACTIONS),
]
