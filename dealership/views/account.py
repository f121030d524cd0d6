from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dealership.demo.logins import DEMO_PASSWORD, DEMO_STORE_CODE, demo_login_rows
from dealership.forms import LanguageForm, LoginForm
from dealership.models import Store
from dealership.services.users import user_set_language


def login(request: HttpRequest) -> HttpResponse:
    """Anyone: sign in. On a developer's machine (DEBUG on, the demo store seeded) the page
    lists the demo logins and their password, which are public knowledge there anyway."""
    extra = {}
    if settings.DEBUG and Store.objects.filter(code=DEMO_STORE_CODE).exists():
        extra = {"demo_logins": demo_login_rows(), "demo_password": DEMO_PASSWORD}
    view = auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                        authentication_form=LoginForm, extra_context=extra)
    return view(request)


@require_http_methods(["GET"])
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: their profile, language and password."""
    form = LanguageForm(initial={"language": request.user.language})
    return render(request, "dealership/account_detail.html", {"language_form": form})


@require_POST
@login_required
def language_set(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: switch the interface language, remembered on their account."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered languages."))
        return redirect("account")
    user_set_language(user=request.user, language=form.cleaned_data["language"])
    translation.activate(form.cleaned_data["language"])
    messages.success(request, _("The interface language has been changed."))
    target = form.cleaned_data.get("next") or ""
    # Only a local path: a bare word would be reversed as a URL name by redirect() (500).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "home"
    response = redirect(target)
    # The cookie keeps the choice for the login page after this user logs out.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
        max_age=settings.LANGUAGE_COOKIE_AGE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


def login_locked_out(request: HttpRequest, original_response=None,
                     credentials: dict | None = None) -> HttpResponse:
    """django-axes' lockout answer: the sign-in page's look, a message, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
