"""Lead import screens, spliced into the "leads" namespace by leads/urls.py."""

from django.urls import path

from leads.views import intake

urlpatterns = [
    path("import/", intake.import_upload, name="import"),
    path("import/<int:pk>/", intake.import_detail, name="import_detail"),
]
