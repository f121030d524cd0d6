from django.urls import path

from aftersales.views import owners as views

urlpatterns = [
    path("owners/", views.owner_list, name="owner_list"),
    path("owners/data-quality/", views.data_quality, name="data_quality"),
    path("owners/<int:pk>/", views.owner_file_view, name="owner_file"),
]
