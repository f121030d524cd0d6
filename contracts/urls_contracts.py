"""contracts screens (spliced into the "contracts" namespace)."""

from django.urls import path

from contracts.views import contracts

urlpatterns = [
    path("", contracts.contract_list, name="contract_list"),
    path("review/", contracts.review_queue, name="review_queue"),
    path("quotes/<int:pk>/contract/", contracts.contract_create, name="contract_create"),
    path("<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("<int:pk>/reveal/", contracts.contract_reveal, name="contract_reveal"),
    path("<int:pk>/submit/", contracts.contract_submit, name="contract_submit"),
    path("<int:pk>/approve/", contracts.contract_approve, name="contract_approve"),
    path("<int:pk>/reject/", contracts.contract_reject, name="contract_reject"),
    path("<int:pk>/sign/", contracts.contract_sign, name="contract_sign"),
    path("<int:pk>/deliver/", contracts.contract_deliver, name="contract_deliver"),
    path("<int:pk>/close/", contracts.contract_close, name="contract_close"),
    path("<int:pk>/cancel/", contracts.contract_cancel, name="contract_cancel"),
    path("<int:pk>/preview.pdf", contracts.contract_preview, name="contract_preview"),
    path("<int:pk>/document/", contracts.contract_document, name="contract_document"),
    path("<int:pk>/contract.pdf", contracts.contract_download, name="contract_download"),
]
