"""The delivery stage's pages, one module per part of the floor: inventory, allocation and
order progress, money (finance desk, receivables, loans, insurance), and the inspection,
calendar and handover."""

from delivery.urls import handover, inventory, money, orders

app_name = "delivery"
urlpatterns = [
    *inventory.urlpatterns,
    *orders.urlpatterns,
    *money.urlpatterns,
    *handover.urlpatterns,
]
