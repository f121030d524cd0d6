from django.urls import path

from aftersales import views

app_name = "aftersales"
urlpatterns = [
    path("service/", views.service_desk, name="service_desk"),
    path("care/", views.care_desk, name="care_desk"),
]
