from django.urls import path

from aftersales.views import care as views

urlpatterns = [
    path("care/", views.care_desk, name="care_desk"),
]
