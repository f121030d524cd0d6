from django.urls import path

from aftersales.views import loyalty as views

urlpatterns: list = [
    path("owners/<int:pk>/refer/", views.referral_create, name="referral_create"),
    path("owners/<int:pk>/points/", views.loyalty_ledger, name="loyalty_ledger"),
    path("owners/<int:pk>/points/redeem/", views.loyalty_redeem, name="loyalty_redeem"),
    path("owners/<int:pk>/points/adjust/", views.loyalty_adjust, name="loyalty_adjust"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("packages/", views.package_list, name="package_list"),
    path("packages/new/", views.package_edit, name="package_create"),
    path("packages/<int:pk>/edit/", views.package_edit, name="package_edit"),
]
