"""Input guard: refuse, at the boundary, what no field of the portal accepts.

- NUL (U+0000) anywhere in the path, a query parameter (name or value), a form field (name or
  value), an uploaded file's name or a JSON body (any key or string): PostgreSQL cannot store it
  and answered 500.
- a query parameter value longer than INPUT_MAX_QUERY_VALUE_LENGTH characters (no query parameter
  of the portal needs more; fields in bodies have their own max_length).

Under /api/ the answer is the API's JSON error (400, code "invalid_input", the parameter in
"errors"); elsewhere the Vietnamese 400 page.

What passes is normalised to Unicode NFC here, the one choke point for every page and API view
(issue 14): query parameters, form fields (names and values), uploaded file names and JSON bodies
(keys and strings). Text typed in decomposed form (NFD, from some phone keyboards) is then stored
and searched like the same text typed precomposed. Services normalise again before saving.
"""

from __future__ import annotations

import json
import unicodedata
from io import BytesIO

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from portal.core.text import nfc_deep
from portal.core.views import bad_request, is_api_request

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _needs_nfc_querydict(data: QueryDict) -> bool:
    return any(
        not unicodedata.is_normalized("NFC", key)
        or any(not unicodedata.is_normalized("NFC", v) for v in values)
        for key, values in data.lists()
    )


def _nfc_querydict(data: QueryDict, encoding: str | None) -> QueryDict:
    normal = QueryDict(mutable=True, encoding=encoding)
    for key, values in data.lists():
        normal.setlist(
            unicodedata.normalize("NFC", key), [unicodedata.normalize("NFC", v) for v in values]
        )
    normal._mutable = False
    return normal


def _replace_body(request: HttpRequest, text: str) -> None:
    """Make `text` the request body the views and DRF's parsers read."""
    body = text.encode(request.encoding or settings.DEFAULT_CHARSET)
    request._body = body
    request._stream = BytesIO(body)
    request.META["CONTENT_LENGTH"] = str(len(body))


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        problem = self.problem(request)
        if problem is not None:
            return self.refuse(request, *problem)
        self.normalise(request)
        return self.get_response(request)

    # -- NFC -----------------------------------------------------------------------------------

    def normalise(self, request: HttpRequest) -> None:
        """Rewrite the request's text to NFC (only what is not NFC already)."""
        if _needs_nfc_querydict(request.GET):
            request.GET = _nfc_querydict(request.GET, request.encoding)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        content_type = request.content_type or ""
        try:
            if content_type in FORM_TYPES and request.method == "POST":
                self._normalise_form(request, content_type)
            elif content_type == FORM_TYPES[0]:  # PUT/PATCH form bodies: the parser reads body
                body = request.body
                form = QueryDict(body, encoding=request.encoding)
                if _needs_nfc_querydict(form):
                    _replace_body(request, _nfc_querydict(form, request.encoding).urlencode())
            elif content_type == "application/json" or content_type.endswith("+json"):
                body = request.body
                if b"\\u" not in body.lower():
                    if body.isascii():
                        return  # plain ASCII, no escapes: already NFC
                    text = body.decode(request.encoding or settings.DEFAULT_CHARSET)
                    if unicodedata.is_normalized("NFC", text):
                        return  # no escapes: every string is a piece of this NFC text
                data = json.loads(body)
                normal = nfc_deep(data)
                if normal != data:
                    _replace_body(request, json.dumps(normal, ensure_ascii=False))
        except Exception:  # noqa: BLE001 - unreadable: the view's parser answers as before
            return

    @staticmethod
    def _normalise_form(request: HttpRequest, content_type: str) -> None:
        post, files = request.POST, request.FILES
        if _needs_nfc_querydict(post):
            request._post = _nfc_querydict(post, request.encoding)
            if content_type == FORM_TYPES[0]:
                # the body is still readable: DRF's form parser would parse it again
                _replace_body(request, request._post.urlencode())
        for key in list(files.keys()):
            uploads = files.getlist(key)
            for upload in uploads:
                if upload.name and not unicodedata.is_normalized("NFC", upload.name):
                    upload.name = unicodedata.normalize("NFC", upload.name)
            if not unicodedata.is_normalized("NFC", key):
                files.setlist(unicodedata.normalize("NFC", key), uploads)
                del files[key]

    # -- checks ------------------------------------------------------------------------------

    def problem(self, request: HttpRequest) -> tuple[str, str] | None:
        """(field, message) for the first thing refused, or None."""
        if NUL in request.path_info:
            return "path", _("Đường dẫn chứa ký tự không hợp lệ (NUL).")
        found = self._query_problem(request)
        if found is None and request.method not in ("GET", "HEAD", "OPTIONS"):
            found = self._body_problem(request)
        return found

    def _query_problem(self, request: HttpRequest) -> tuple[str, str] | None:
        limit = settings.INPUT_MAX_QUERY_VALUE_LENGTH
        for key, values in request.GET.lists():
            if NUL in key or any(NUL in v for v in values):
                return key.replace(NUL, ""), _(
                    "Tham số “%(name)s” chứa ký tự không hợp lệ (NUL)."
                ) % {"name": key.replace(NUL, "")}
            if any(len(v) > limit for v in values):
                return key, _("Tham số “%(name)s” dài quá %(limit)s ký tự.") % {
                    "name": key,
                    "limit": limit,
                }
        return None

    def _body_problem(self, request: HttpRequest) -> tuple[str, str] | None:
        content_type = request.content_type or ""
        if content_type in FORM_TYPES:
            return self._form_problem(request, content_type)
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                body = request.body
                if b"\\u0000" not in body.lower():
                    return None  # a raw NUL byte is not valid JSON: the parser refuses it
                data = json.loads(body)
            except Exception:  # noqa: BLE001 - unreadable: the view's parser answers as before
                return None
            if _has_nul(data):
                return "non_field_errors", _("Dữ liệu chứa ký tự không hợp lệ (NUL).")
        return None

    def _form_problem(self, request: HttpRequest, content_type: str) -> tuple[str, str] | None:
        try:
            if request.method == "POST":
                form, files = request.POST, request.FILES
            elif content_type == FORM_TYPES[0]:
                form, files = QueryDict(request.body, encoding=request.encoding), {}
            else:
                return None  # multipart outside POST: the view's parser decides
        except Exception:  # noqa: BLE001 - too big, too many fields, broken multipart
            return "non_field_errors", _("Dữ liệu gửi lên không đọc được.")
        for key, values in form.lists():
            if NUL in key or any(NUL in v for v in values):
                return self._field_nul(key)
        for key, upload in files.items():
            if NUL in key or NUL in (upload.name or ""):
                return self._field_nul(key)
        return None

    @staticmethod
    def _field_nul(key: str) -> tuple[str, str]:
        name = key.replace(NUL, "")
        return name, _("Trường “%(name)s” chứa ký tự không hợp lệ (NUL).") % {"name": name}

    # -- answer ------------------------------------------------------------------------------

    @staticmethod
    def refuse(request: HttpRequest, field: str, message: str):
        if is_api_request(request):
            from django.http import JsonResponse

            return JsonResponse(
                {"code": "invalid_input", "message": message, "errors": {field: [message]}},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return bad_request(request, message=message)


class PageMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware for pages only: the API (under /api/) shows no flash messages,
    and building the message storage for every API request cost ~10 µs (issue 13)."""

    def process_request(self, request):
        if not is_api_request(request):
            super().process_request(request)

    def process_response(self, request, response):
        if not hasattr(request, "_messages"):
            return response
        return super().process_response(request, response)
