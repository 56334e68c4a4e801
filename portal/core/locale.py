"""Which language a request is answered in.

Pages are Vietnamese unless the person CHOSE English with the language switcher (Django's
language cookie, set by /i18n/setlang/): a browser's Accept-Language is ignored there, so an
English-language phone does not get English chrome around Vietnamese data by accident. The API
(/api/) keeps Django's negotiation (cookie, then Accept-Language): an API client has no switcher
and says what it wants in the header.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from portal.core.views import is_api_request


def chosen_language(request) -> str:
    """The language of the cookie if it names a supported one, otherwise Vietnamese."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that pages honour only the person's choice."""

    def process_request(self, request):
        if is_api_request(request):
            return super().process_request(request)
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
