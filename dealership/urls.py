from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dealership.forms import LoginForm
from dealership.views import account, customers, home, my_day, privacy, stock

customer_patterns = (
    [
        path("", customers.customer_list, name="list"),
        path("new/", customers.customer_create_view, name="create"),
        path("<int:pk>/", customers.customer_detail, name="detail"),
        path("<int:pk>/edit/", customers.customer_edit, name="edit"),
        path("<int:pk>/reveal/", customers.customer_reveal, name="reveal"),
        path("<int:pk>/export/", privacy.customer_export_view, name="export"),
        path("<int:pk>/erase/", privacy.customer_erase_view, name="erase"),
    ],
    "customers",
)

stock_patterns = ([path("", stock.stock_list, name="list")], "stock")

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("nav/badges/", home.nav_badges_view, name="nav_badges"),
    path("favicon.ico", home.favicon),
    path("accounts/login/",
         auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                      authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("account/", account.account, name="account"),
    path("account/language/", account.language_set, name="language_set"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", home.console, name="console"),
    path("my-day/", my_day.my_day, name="my_day"),
    path("customers/", include(customer_patterns)),
    path("stock/", include(stock_patterns)),
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
