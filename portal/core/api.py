"""API error shape: every error is {"code": ..., "message": <Vietnamese>, "errors": {...}}."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.utils.formatting import lazy_format
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import DomainError

_DEFAULT_MESSAGES = {
    "not_found": gettext_lazy("Không tìm thấy."),
    "not_authenticated": gettext_lazy("Bạn cần đăng nhập."),
    "authentication_failed": gettext_lazy("Thông tin đăng nhập không đúng."),
    "permission_denied": gettext_lazy("Bạn không có quyền thực hiện thao tác này."),
    "method_not_allowed": gettext_lazy("Phương thức không được hỗ trợ."),
    "throttled": gettext_lazy("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau."),
    "parse_error": gettext_lazy("Dữ liệu gửi lên không đọc được."),
    "unsupported_media_type": gettext_lazy("Định dạng dữ liệu không được hỗ trợ."),
    "invalid": gettext_lazy("Dữ liệu không hợp lệ."),
}


def error_response(code: str, message: str, *, status_code: int, errors=None) -> Response:
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, status_code=exc.status, errors=exc.details)
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return error_response("invalid", _("Dữ liệu không hợp lệ."), status_code=400, errors=errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        first = _first_message(errors)
        response.data = {
            "code": "invalid",
            "message": first or str(_DEFAULT_MESSAGES["invalid"]),
            "errors": errors,
        }
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    message = str(_DEFAULT_MESSAGES.get(code) or getattr(exc, "detail", "") or _("Lỗi."))
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        message = _("%(message)s (thử lại sau %(seconds)d giây)") % {
            "message": message,
            "seconds": int(exc.wait),
        }
    response.data = {"code": code, "message": message}
    if isinstance(exc, exceptions.AuthenticationFailed):
        # A token that is not (or no longer: a password reset revokes them) valid is a 401 with
        # the scheme to use, whichever authenticator is listed first (DRF says 403 when the
        # session's is, since sessions have no WWW-Authenticate scheme).
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"
    if response.status_code >= 500:
        response.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    return response


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            found = _first_message(value)
            if found:
                return found
    elif isinstance(errors, list):
        for value in errors:
            found = _first_message(value)
            if found:
                return found
    elif errors:
        return str(errors)
    return ""


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the whole API, for the OpenAPI schema."""

    code = serializers.CharField(help_text="Mã lỗi ổn định, ví dụ procedure_not_found.")
    message = serializers.CharField(help_text="Thông báo bằng tiếng Việt.")
    errors = serializers.DictField(required=False, help_text="Lỗi theo từng trường, nếu có.")


# DRF's own Vietnamese catalogue is incomplete ("Ensure this field has no more than …", "Invalid
# data. Expected a dictionary…"): request bodies built on VietnameseInputSerializer say every input
# error in Vietnamese. The msgids are those of portal.dossiers.serializers, so one translation serves.
VI_FIELD_MESSAGES = {
    "null": gettext_lazy("Trường này không được để trống."),
    "max_length": gettext_lazy("Nhập không quá {max_length} ký tự."),
    "invalid_choice": gettext_lazy("“{input}” không phải là lựa chọn hợp lệ."),
    "not_a_dict": gettext_lazy("Cần một đối tượng JSON, không phải kiểu “{input_type}”."),
    "max_string_length": gettext_lazy("Giá trị quá lớn."),
    "no_name": gettext_lazy("Không xác định được tên tệp."),
}
VI_INVALID = {
    serializers.IntegerField: gettext_lazy("Vui lòng nhập một số nguyên hợp lệ."),
    serializers.FileField: gettext_lazy(
        "Dữ liệu gửi lên không phải là tệp (cần multipart/form-data)."
    ),
    serializers.CharField: gettext_lazy("Giá trị phải là một chuỗi ký tự."),
}


@functools.cache
def _default_error_messages(field_class: type) -> dict:
    """A field class's default error messages (its own and its bases'), computed once."""
    defaults: dict = {}
    for klass in reversed(field_class.__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


class VietnameseInputSerializer(serializers.Serializer):
    """A request body whose errors are all in Vietnamese (messages a field sets itself are kept)."""

    default_error_messages = {
        "invalid": gettext_lazy("Cần một đối tượng JSON, không phải kiểu “{datatype}”."),
    }

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            defaults = _default_error_messages(type(field))
            for key, current in field.error_messages.items():
                if current != defaults.get(key):
                    continue  # set on purpose by the field's declaration
                if key == "invalid":
                    message = next((m for k, m in VI_INVALID.items() if isinstance(field, k)), None)
                else:
                    message = VI_FIELD_MESSAGES.get(key)
                if message is not None:
                    field.error_messages[key] = message
            for validator in field.validators:  # built in the field's __init__ with the old text
                if isinstance(validator, MaxLengthValidator):
                    validator.message = lazy_format(
                        field.error_messages["max_length"], max_length=validator.limit_value
                    )
        return fields
