from __future__ import annotations

from django.utils import timezone, translation


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
