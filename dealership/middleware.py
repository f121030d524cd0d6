from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies of ours the
    entry of X-Forwarded-For that the outermost of them appended.

    Counted from the right: a client may put anything at the left of the header, but each
    of our proxies appends the address it saw, so the last N entries are ours to trust.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


class UserPreferencesMiddleware:
    """Activate the signed-in user's interface language and their store's time zone.

    Runs after AuthenticationMiddleware and LocaleMiddleware: a member of staff sees the
    language they chose on every device, and times in the store's local time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            store = user.store if user.store_id else None
            if store is not None:
                timezone.activate(store.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
