from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dealership.views import account, catalogue, customers, home, my_day, privacy, search, stock

customer_patterns = (
    [
        path("", customers.customer_list, name="list"),
        path("export/", customers.customer_list_export, name="list_export"),
        path("new/", customers.customer_create_view, name="create"),
        path("<int:pk>/", customers.customer_detail, name="detail"),
        path("<int:pk>/edit/", customers.customer_edit, name="edit"),
        path("<int:pk>/reveal/", customers.customer_reveal, name="reveal"),
        path("<int:pk>/export/", privacy.customer_export_view, name="export"),
        path("<int:pk>/erase/", privacy.customer_erase_view, name="erase"),
    ],
    "customers",
)

stock_patterns = ([path("", stock.stock_list, name="list"),
                   path("export/", stock.stock_export, name="export")], "stock")

catalogue_patterns = (
    [
        path("trims/", catalogue.trim_list, name="trim_list"),
        path("trims/new/", catalogue.trim_create, name="trim_create"),
        path("trims/<int:pk>/", catalogue.trim_detail, name="trim_detail"),
        path("trims/<int:pk>/on-sale/", catalogue.trim_active, name="trim_active"),
        path("colours/", catalogue.colour_list, name="colour_list"),
        path("colours/new/", catalogue.colour_create, name="colour_create"),
        path("colours/<int:pk>/", catalogue.colour_detail, name="colour_detail"),
        path("colours/<int:pk>/on-sale/", catalogue.colour_active, name="colour_active"),
    ],
    "catalogue",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("nav/badges/", home.nav_badges_view, name="nav_badges"),
    path("favicon.ico", home.favicon),
    path("accounts/login/", account.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("account/", account.account, name="account"),
    path("account/language/", account.language_set, name="language_set"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", home.console, name="console"),
    path("my-day/", my_day.my_day, name="my_day"),
    path("search/", search.search, name="search"),
    path("customers/", include(customer_patterns)),
    path("stock/", include(stock_patterns)),
    path("catalogue/", include(catalogue_patterns)),
    path("leads/", include("leads.urls")),
    path("api/v1/", include("leads.urls.api")),
    path("showroom/", include("showroom.urls")),
    path("contracts/", include("contracts.urls")),
    path("delivery/", include("delivery.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("s/", include("aftersales.urls.public")),
    path("reports/", include("reports.urls")),
    path("wall/", include("reports.urls.wall")),
    path("admin/", admin.site.urls),
]
