from django.urls import path

from delivery import views

app_name = "delivery"
urlpatterns = [
    path("finance/", views.finance_desk, name="finance_desk"),
    path("payments/<int:pk>/confirm/", views.payment_confirm, name="payment_confirm"),
    path("refunds/<int:pk>/settle/", views.refund_settle, name="refund_settle"),
]
