from django.urls import path

from delivery.views import orders

urlpatterns = [
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/allocate/", orders.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/release/", orders.allocation_release,
         name="allocation_release"),
]
