from django.urls import path

from delivery import views

app_name = "delivery"
urlpatterns = [path("finance/", views.finance_desk, name="finance_desk")]
