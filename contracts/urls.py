"""The contracts stage's URLs: quotes, discount approvals and policy, contracts."""

from django.urls import path

from contracts.views import approvals, catalogue, contracts, policy, quotes

app_name = "contracts"
urlpatterns = [
    # Quotes
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("quotes/export/", quotes.quote_export, name="quote_export"),
    path("quotes/new/", quotes.quote_create, name="quote_create"),
    path("quotes/calculate/", quotes.quote_calculate, name="quote_calculate"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/revise/", quotes.quote_revise, name="quote_revise"),
    path("quotes/<int:pk>/withdraw/", quotes.quote_withdraw, name="quote_withdraw"),
    path("quotes/<int:pk>/v<int:number>/", quotes.quote_version, name="quote_version"),
    path("quotes/<int:pk>/v<int:number>/pdf/", quotes.quote_version_pdf,
         name="quote_version_pdf"),
    # Discount approvals and the policy behind them
    path("approvals/", approvals.approval_inbox, name="approval_inbox"),
    path("approvals/<int:pk>/", approvals.approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/decide/", approvals.approval_decide, name="approval_decide"),
    path("policy/", policy.discount_policy, name="discount_policy"),
    # The store's catalogue: accessories and value-added packages
    path("catalogue/accessories/", catalogue.accessory_list, name="accessory_list"),
    path("catalogue/accessories/new/", catalogue.accessory_create, name="accessory_create"),
    path("catalogue/accessories/<int:pk>/", catalogue.accessory_detail,
         name="accessory_detail"),
    path("catalogue/accessories/<int:pk>/on-sale/", catalogue.accessory_active,
         name="accessory_active"),
    path("catalogue/packages/", catalogue.package_list, name="package_list"),
    path("catalogue/packages/new/", catalogue.package_create, name="package_create"),
    path("catalogue/packages/<int:pk>/", catalogue.package_detail, name="package_detail"),
    path("catalogue/packages/<int:pk>/on-sale/", catalogue.package_active,
         name="package_active"),
    # Contracts
    path("", contracts.contract_list, name="contract_list"),
    path("export/", contracts.contract_export, name="contract_export"),
    path("review/", contracts.review_queue, name="review_queue"),
    path("quotes/<int:pk>/contract/", contracts.contract_create, name="contract_create"),
    path("<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("<int:pk>/reveal/", contracts.contract_reveal, name="contract_reveal"),
    path("<int:pk>/submit/", contracts.contract_submit, name="contract_submit"),
    path("<int:pk>/approve/", contracts.contract_approve, name="contract_approve"),
    path("<int:pk>/reject/", contracts.contract_reject, name="contract_reject"),
    path("<int:pk>/sign/", contracts.contract_sign, name="contract_sign"),
    path("<int:pk>/close/", contracts.contract_close, name="contract_close"),
    path("<int:pk>/cancel/", contracts.contract_cancel, name="contract_cancel"),
    path("<int:pk>/preview.pdf", contracts.contract_preview, name="contract_preview"),
    path("<int:pk>/document/", contracts.contract_document, name="contract_document"),
    path("<int:pk>/contract.pdf", contracts.contract_download, name="contract_download"),
]
