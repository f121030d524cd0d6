"""The wall screen, mounted at /wall/ (namespace "wall"): no login; the signed kiosk link
is the key."""

from django.urls import path

from reports.views import wall as views

app_name = "wall"
urlpatterns = [
    path("<str:signed>/", views.wall_screen, name="screen"),
    path("<str:signed>/<str:meeting>/", views.wall_screen, name="meeting"),
    path("<str:signed>/<str:meeting>/<int:slot>/", views.wall_panel, name="panel"),
]
