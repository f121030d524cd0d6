"""Reports URLs, one module per area, all under /reports/ (namespace "reports"). The wall
screen is the exception: `wall.urlpatterns` is mounted at /wall/ by the root URLconf (no
login, namespace "wall": a signed kiosk link is its only key)."""

from reports.urls import charts, commission, daily, group, home, kiosk, meetings, targets

app_name = "reports"
urlpatterns = [
    *home.urlpatterns,
    *targets.urlpatterns,
    *meetings.urlpatterns,
    *kiosk.urlpatterns,
    *charts.urlpatterns,
    *daily.urlpatterns,
    *commission.urlpatterns,
    *group.urlpatterns,
]
