from django.urls import path

from reports.views import commission as views

urlpatterns = [
    path("commission/", views.commission, name="commission"),
    path("commission/consultants/<int:consultant_id>/", views.commission_consultant,
         name="commission_consultant"),
    path("commission/scheme/", views.commission_scheme, name="commission_scheme"),
]
