from django.urls import path

from aftersales.views import service as views

urlpatterns = [
    path("service/", views.service_desk, name="service_desk"),
]
