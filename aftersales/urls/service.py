from django.urls import path

from aftersales.views import service as views

urlpatterns = [
    path("service/", views.service_desk, name="service_desk"),
    path("service/capacity/", views.service_capacity, name="service_capacity"),
    path("service/book/", views.appointment_book, name="appointment_book"),
    path("service/day/", views.service_day, name="service_day"),
    path("service/week/", views.service_week, name="service_week"),
    path("service/appointments/<int:pk>/", views.appointment_detail,
         name="appointment_detail"),
    path("service/appointments/<int:pk>/check-in/", views.appointment_check_in,
         name="appointment_check_in"),
    path("service/appointments/<int:pk>/complete/", views.appointment_complete,
         name="appointment_complete"),
    path("service/appointments/<int:pk>/cancel/", views.appointment_cancel,
         name="appointment_cancel"),
    path("service/appointments/<int:pk>/no-show/", views.appointment_no_show,
         name="appointment_no_show"),
    path("service/records/<int:pk>/", views.service_record, name="service_record"),
]
