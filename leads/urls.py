from django.urls import path

from leads import views

app_name = "leads"
urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("board/", views.team_board, name="team_board"),
    path("marketing/", views.marketing_home, name="marketing_home"),
]
