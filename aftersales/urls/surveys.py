from django.urls import path

from aftersales.views import surveys as views

urlpatterns: list = [
    path("surveys/", views.survey_results, name="survey_results"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
]
