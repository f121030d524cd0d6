"""approvals screens (spliced into the "contracts" namespace)."""

from django.urls import path

from contracts.views import approvals, policy

urlpatterns: list = [
    path("approvals/", approvals.approval_inbox, name="approval_inbox"),
    path("approvals/<int:pk>/", approvals.approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/decide/", approvals.approval_decide, name="approval_decide"),
    path("policy/", policy.discount_policy, name="discount_policy"),
]
