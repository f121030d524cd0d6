from django.urls import path

from delivery.views import inventory

urlpatterns = [
    path("stock/", inventory.stock_board, name="stock_board"),
    path("stock/export/", inventory.stock_board_export, name="stock_board_export"),
    path("stock/receive/", inventory.stock_receive, name="stock_receive"),
    path("stock/import/", inventory.stock_import, name="stock_import"),
    path("stock/import/<int:pk>/", inventory.stock_import_detail, name="stock_import_detail"),
    path("stock/<int:pk>/", inventory.stock_detail, name="stock_detail"),
    path("stock/<int:pk>/arrive/", inventory.stock_arrive, name="stock_arrive"),
    path("stock/<int:pk>/demo/", inventory.stock_demo, name="stock_demo"),
    path("settings/", inventory.delivery_settings, name="settings"),
]
