"""The supervisor's and manager's screens: pool, lost decisions and report, campaigns,
team (on duty, a leaving consultant's book) and the store's lead policy."""

from django.urls import path

from leads.views import board, campaigns, policy, pool, team

urlpatterns = [
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
]
