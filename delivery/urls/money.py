from django.urls import path

from delivery.views import finance_desk, money

urlpatterns = [
    path("finance/", finance_desk.finance_desk, name="finance_desk"),
    path("payments/<int:pk>/confirm/", finance_desk.payment_confirm, name="payment_confirm"),
    path("refunds/<int:pk>/settle/", finance_desk.refund_settle, name="refund_settle"),
    path("receivables/", money.receivables, name="receivables"),
    path("receivables/export/", money.receivables_export, name="payment_export"),
    path("orders/<int:pk>/payments/new/", money.payment_record, name="payment_record"),
    path("orders/<int:pk>/payment-date/", money.payment_date_set, name="payment_date_set"),
    path("orders/<int:pk>/loan/", money.loan_edit, name="loan_edit"),
    path("loans/<int:pk>/decide/", money.loan_decide, name="loan_decide"),
    path("orders/<int:pk>/insurance/new/", money.insurance_create, name="insurance_create"),
]
