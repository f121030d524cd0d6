"""The leads stage's URLs ("leads" namespace); the public API's are in leads.urls.api."""

from django.urls import path
from django.views.generic import RedirectView

from leads.views import (
    board,
    calls,
    campaigns,
    intake,
    leads,
    marketing,
    messages,
    my_day,
    policy,
    pool,
    team,
)

app_name = "leads"
urlpatterns = [
    # "My day" moved to the core (/my-day/); old bookmarks follow.
    path("my-day/", RedirectView.as_view(pattern_name="my_day")),
    # The consultant's lead screens.
    path("", leads.lead_list, name="list"),
    path("export.csv", leads.lead_export, name="export"),
    path("new/", leads.lead_create, name="create"),
    path("phone-check/", leads.phone_check, name="phone_check"),
    path("<int:pk>/", leads.lead_detail, name="detail"),
    path("<int:pk>/touch/", leads.lead_touch, name="touch"),
    path("<int:pk>/call/", calls.lead_call, name="call"),
    path("<int:pk>/grade/", leads.lead_grade, name="grade"),
    path("<int:pk>/lost/", leads.lead_request_lost_view, name="request_lost"),
    path("<int:pk>/reassign/", leads.lead_reassign, name="reassign"),
    path("my-day/notifications/read/", my_day.notifications_read, name="notifications_read"),
    # The supervisor's and manager's screens.
    path("board/", board.team_board, name="team_board"),
    path("pool/", pool.pool, name="pool"),
    path("pool/<int:pk>/claim/", pool.claim, name="claim"),
    path("pool/<int:pk>/assign/", pool.pool_assign, name="pool_assign"),
    path("lost-requests/<int:pk>/decide/", board.decide_lost, name="decide_lost"),
    path("lost-report/", board.lost_report_view, name="lost_report"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("team/", team.team, name="team"),
    path("team/<int:pk>/on-duty/", team.set_on_duty, name="set_on_duty"),
    path("team/<int:pk>/reassign/", team.reassign_book, name="reassign_book"),
    path("policy/", policy.policy, name="policy"),
    # Marketing: its home, imports, customer messages.
    path("marketing/", marketing.marketing_home, name="marketing_home"),
    path("import/", intake.import_upload, name="import"),
    path("import/<int:pk>/", intake.import_detail, name="import_detail"),
    path("import/<int:pk>/errors.csv", intake.import_errors_csv, name="import_errors"),
    path("import/<int:pk>/retry/", intake.import_retry, name="import_retry"),
    path("messages/", messages.message_list, name="message_list"),
    path("messages/<int:pk>/mark-sent/", messages.message_mark_sent_view,
         name="message_mark_sent"),
    path("messages/<int:pk>/requeue/", messages.message_requeue_view, name="message_requeue"),
    path("customers/<int:pk>/opt-out/", messages.customer_opt_out_view,
         name="customer_opt_out"),
]
