"""Error pages: under /api/ every error answers the API's JSON shape {"code", "message"}, with
DEBUG on or off; elsewhere a Vietnamese HTML page. Wired as handler400/403/404/500 (portal/urls.py)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(code: str, message: str, *, status: int) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": str(message)},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def html_error(
    request: HttpRequest, template: str, *, status: int, message: str = ""
) -> HttpResponse:
    try:
        body = loader.render_to_string(template, {"message": message}, request=request)
    except Exception:  # noqa: BLE001 - an error page must never fail (e.g. database down)
        logger.exception("Rendering %s failed", template)
        body = loader.render_to_string("500.html")
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request_message() -> str:
    return _("Yêu cầu không hợp lệ.")


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None, message: str = "") -> HttpResponse:
    message = message or bad_request_message()
    if is_api_request(request):
        return json_error("bad_request", message, status=400)
    return html_error(request, "400.html", status=400, message=message)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = _("Bạn không có quyền thực hiện thao tác này.")
    if is_api_request(request):
        return json_error("permission_denied", message, status=403)
    return html_error(request, "403.html", status=403, message=message)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_request(request):
        return json_error("not_found", _("Không tìm thấy."), status=404)
    return html_error(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return json_error("server_error", _("Lỗi hệ thống. Vui lòng thử lại sau."), status=500)
    try:
        # No request context: the database (sessions, user) may be what failed.
        body = loader.render_to_string("500.html")
    except Exception:  # noqa: BLE001 - the last resort must not fail
        logger.exception("Rendering 500.html failed")
        body = "<h1>500</h1>"
    return HttpResponse(body, status=500, content_type="text/html; charset=utf-8")


@csrf_exempt  # nothing to protect: it only answers 404 (a CSRF 403 would hide the real answer)
def api_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any /api/ URL that matches no endpoint (e.g. a non-integer id): the JSON 404, even with
    DEBUG on (Django would show its HTML debug page). A GET without the final slash of a real
    endpoint is still redirected to it (APPEND_SLASH, which this catch-all would otherwise hide)."""
    path = request.path_info
    if settings.APPEND_SLASH and request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return page_not_found(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the JSON 403 under /api/, Django's explanation page elsewhere."""
    if is_api_request(request):
        return json_error(
            "csrf_failed",
            _("Thiếu hoặc sai CSRF token (phiên đăng nhập trình duyệt)."),
            status=403,
        )
    return django_csrf_failure(request, reason=reason)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every site (the admin and the API docs included):
    a permanent redirect to the static icon, so no page logs a 404 for it."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
