"""The customer's survey page: no login, mounted at /s/ by the root URLconf (namespace
"survey"); everything else of after-sales is staff-only under /aftersales/."""

from django.urls import path

from aftersales.views import surveys as views

app_name = "survey"
urlpatterns: list = [
    path("<str:signed>/", views.survey_page, name="answer"),
]
