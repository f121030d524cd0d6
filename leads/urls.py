"""The leads stage's URLs, one module per area so each screen family stays small."""

from django.urls import path

from leads import urls_board, urls_intake, urls_messages, urls_work
from leads.views import board, marketing, my_day

app_name = "leads"
urlpatterns = [
    path("my-day/", my_day.my_day, name="my_day"),
    path("board/", board.team_board, name="team_board"),
    path("marketing/", marketing.marketing_home, name="marketing_home"),
    *urls_work.urlpatterns,
    *urls_board.urlpatterns,
    *urls_intake.urlpatterns,
    *urls_messages.urlpatterns,
]
