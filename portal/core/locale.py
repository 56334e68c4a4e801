"""Which language a request is answered in.

Pages are Vietnamese unless the person CHOSE English with the language switcher (Django's
language cookie, set by /i18n/setlang/): a browser's Accept-Language is ignored there, so an
English-language phone does not get English chrome around Vietnamese data by accident. The API
(/api/) keeps Django's negotiation (cookie, then Accept-Language): an API client has no switcher
and says what it wants in the header.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

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


def _prefix_patterns_used(request) -> bool:
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    return is_language_prefix_patterns_used(urlconf)[0]


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that pages honour only the person's choice.

    The portal's URLs carry no language prefix (no i18n_patterns): the language is never read from
    the path, which Django's middleware does twice per request (issue 13: ~20 µs); with prefixed
    URLs it answers exactly as Django's."""

    def process_request(self, request):
        if _prefix_patterns_used(request):
            return super().process_request(request)
        if is_api_request(request):
            language = translation.get_language_from_request(request, check_path=False)
        else:
            language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if _prefix_patterns_used(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
