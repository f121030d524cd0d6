"""Reports with charts, under /reports/charts/."""

from django.urls import path

from reports.views import charts as views

urlpatterns = [
    path("charts/", views.chart_index, name="charts"),
    path("charts/funnel/", views.chart_funnel, name="chart_funnel"),
    path("charts/ranking/", views.chart_ranking, name="chart_ranking"),
    path("charts/lost/", views.chart_lost, name="chart_lost"),
    path("charts/first-contact/", views.chart_first_contact, name="chart_first_contact"),
    path("charts/complaints/", views.chart_complaints, name="chart_complaints"),
    path("charts/satisfaction/", views.chart_satisfaction, name="chart_satisfaction"),
    path("charts/stock-aging/", views.chart_stock_aging, name="chart_stock_aging"),
]
