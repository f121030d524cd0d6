from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("store/", views.store_overview, name="store_overview"),
    path("group/", views.group_overview, name="group_overview"),
]
