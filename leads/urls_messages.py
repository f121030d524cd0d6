"""Customer messages: the outbox list and opting a customer out (spliced into leads.urls)."""

from django.urls import path

from leads.views import messages

urlpatterns = [
    path("messages/", messages.message_list, name="message_list"),
    path("customers/<int:pk>/opt-out/", messages.customer_opt_out_view,
         name="customer_opt_out"),
]
