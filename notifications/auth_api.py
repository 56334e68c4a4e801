"""Password reset by SMS code in the API (routed under /api/v1/auth/ by notifications.api_urls).

It lives here, not in portal/accounts, because the engine does not know the notifications app:
the same services as the pages (notifications.accounts) do the work, with the same rate limits.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import accounts, otp
from notifications.masking import mask_phone
from notifications.views import _ip
from portal.accounts.validators import normalize_personal_id
from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer, error_response


def _required(message):
    return {"required": message, "blank": message, "null": message}


class PasswordResetRequestSerializer(VietnameseInputSerializer):
    personal_id = serializers.CharField(
        max_length=20,
        help_text="Số định danh cá nhân (12 chữ số).",
        error_messages=_required(gettext_lazy("Vui lòng nhập số định danh cá nhân.")),
    )
    phone = serializers.CharField(
        max_length=30,
        help_text="Số điện thoại đã đăng ký với tài khoản.",
        error_messages=_required(gettext_lazy("Vui lòng nhập số điện thoại.")),
    )

    def validate_personal_id(self, value: str) -> str:
        value = normalize_personal_id(value)
        if not re.fullmatch(r"\d{12}", value):
            raise serializers.ValidationError(_("Số định danh cá nhân gồm 12 chữ số."))
        return value


class PasswordResetConfirmSerializer(PasswordResetRequestSerializer):
    code = serializers.CharField(
        max_length=6,
        help_text="Mã 6 chữ số nhận qua SMS.",
        error_messages=_required(gettext_lazy("Vui lòng nhập mã xác thực.")),
    )
    new_password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        write_only=True,
        error_messages=_required(gettext_lazy("Vui lòng nhập mật khẩu mới.")),
    )


MESSAGE_SCHEMA = inline_serializer("PasswordResetMessage", {"message": serializers.CharField()})


def _rate_limited(exc: otp.RateLimited) -> Response:
    response = error_response(exc.code, exc.message, status_code=exc.status)
    if exc.retry_after:
        response["Retry-After"] = str(int(exc.retry_after))
    return response


class PasswordResetView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["auth"],
        summary="Forgotten password: send a code by SMS to the account's registered phone",
        description=(
            "Always 202 with the same body, whether or not the personal number and phone belong "
            "to an account. Rate-limited per phone number and per client (429 + Retry-After)."
        ),
        request=PasswordResetRequestSerializer,
        responses={
            202: OpenApiResponse(
                MESSAGE_SCHEMA, description="Accepted (a code may have been sent)"
            ),
            400: OpenApiResponse(ApiErrorSerializer, description="Invalid data"),
            429: OpenApiResponse(
                ApiErrorSerializer, description="Too many requests (code rate_limited)"
            ),
        },
    )
    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            accounts.start_password_reset(**serializer.validated_data, ip=_ip(request))
        except otp.RateLimited as exc:
            return _rate_limited(exc)
        message = _(
            "Nếu số định danh và số điện thoại khớp với một tài khoản, mã xác thực đã được gửi "
            "qua SMS. Mã có hiệu lực trong ít phút."
        )
        return Response({"message": message}, status=202)


class PasswordResetConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["auth"],
        summary="Forgotten password: set a new password with the SMS code",
        description=(
            "A successful reset revokes the account's API tokens and ends its other sessions. "
            f"400 `invalid_code`: wrong or expired code; 429 `{otp.CodeExhausted.code}`: too many "
            "wrong codes, ask for a new one; 429 `rate_limited` (with Retry-After): too many "
            "attempts for this number or from this client; 400 `invalid` with `errors."
            "new_password`: the password is too weak (the code stays usable)."
        ),
        request=PasswordResetConfirmSerializer,
        responses={
            200: OpenApiResponse(MESSAGE_SCHEMA, description="Password changed"),
            400: OpenApiResponse(
                ApiErrorSerializer, description="invalid_code, or invalid data / weak password"
            ),
            429: OpenApiResponse(
                ApiErrorSerializer, description="too_many_attempts (code dead) or rate_limited"
            ),
        },
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            accounts.reset_password(**serializer.validated_data, ip=_ip(request))
        except otp.RateLimited as exc:
            return _rate_limited(exc)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": exc.messages}) from None
        return Response(
            {"message": _("Đã đặt lại mật khẩu. Vui lòng đăng nhập bằng mật khẩu mới.")}
        )


# ---------------------------------------------------------------------------------------------
# Phone verification: an app whose citizen gets 409 `phone_not_verified` on submission verifies
# the number here, with the same services and limits as the page /thong-bao/xac-minh-so-dien-thoai/.


class PhoneCodeRequestSerializer(VietnameseInputSerializer):
    phone = serializers.CharField(
        max_length=30,
        help_text="Số điện thoại cần xác minh (mọi thông báo về hồ sơ được gửi tới số này).",
        error_messages=_required(gettext_lazy("Vui lòng nhập số điện thoại.")),
    )


class PhoneConfirmSerializer(PhoneCodeRequestSerializer):
    code = serializers.CharField(
        max_length=6,
        help_text="Mã 6 chữ số nhận qua SMS.",
        error_messages=_required(gettext_lazy("Vui lòng nhập mã xác thực.")),
    )


PHONE_SENT_SCHEMA = inline_serializer(
    "PhoneCodeSent", {"message": serializers.CharField(), "phone": serializers.CharField()}
)
PHONE_VERIFIED_SCHEMA = inline_serializer(
    "PhoneVerified",
    {"message": serializers.CharField(), "phone": serializers.CharField()},
)


class PhoneVerificationView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Send a verification code by SMS to the caller's phone number",
        description=(
            "Filing needs a verified phone (409 `phone_not_verified` on submission otherwise). "
            "Rate-limited per number and per client (429 `rate_limited` with Retry-After)."
        ),
        request=PhoneCodeRequestSerializer,
        responses={
            202: OpenApiResponse(PHONE_SENT_SCHEMA, description="Code sent (masked number)"),
            400: OpenApiResponse(ApiErrorSerializer, description="Invalid phone number"),
            401: OpenApiResponse(ApiErrorSerializer, description="Not logged in"),
            429: OpenApiResponse(ApiErrorSerializer, description="rate_limited"),
        },
    )
    def post(self, request):
        serializer = PhoneCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            number = accounts.start_phone_verification(
                user=request.user, phone=serializer.validated_data["phone"], ip=_ip(request)
            )
        except otp.RateLimited as exc:
            return _rate_limited(exc)
        message = _("Đã gửi mã xác thực tới %s.") % mask_phone(number)
        return Response({"message": message, "phone": mask_phone(number)}, status=202)


class PhoneConfirmView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Confirm the phone number with the SMS code",
        description=(
            f"400 `invalid_code`: wrong or expired code; 429 `{otp.CodeExhausted.code}`: too many "
            "wrong codes, ask for a new one; 429 `rate_limited` (with Retry-After)."
        ),
        request=PhoneConfirmSerializer,
        responses={
            200: OpenApiResponse(PHONE_VERIFIED_SCHEMA, description="Phone verified"),
            400: OpenApiResponse(ApiErrorSerializer, description="invalid_code or invalid data"),
            401: OpenApiResponse(ApiErrorSerializer, description="Not logged in"),
            429: OpenApiResponse(
                ApiErrorSerializer, description="too_many_attempts (code dead) or rate_limited"
            ),
        },
    )
    def post(self, request):
        serializer = PhoneConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = accounts.confirm_phone(
                user=request.user,
                phone=serializer.validated_data["phone"],
                code=serializer.validated_data["code"],
                ip=_ip(request),
            )
        except otp.RateLimited as exc:
            return _rate_limited(exc)
        return Response(
            {"message": _("Số điện thoại đã được xác minh."), "phone": mask_phone(user.phone)}
        )
