"""Auth API: citizen sign-up, token login, current user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.forms import PASSWORD_MAX_LENGTH
from portal.accounts.lockout import (
    USERNAME_MAX_LENGTH,
    lockout_seconds,
    login_username,
    minutes,
    record_failure,
    record_success,
)
from portal.accounts.models import Sex, User
from portal.accounts.services import register_citizen
from portal.core.api import VietnameseInputSerializer
from portal.core.errors import DomainError
from portal.core.text import validate_person_name

ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)


def _required(message):
    return {"required": message, "blank": message, "null": message}


class SignupSerializer(VietnameseInputSerializer):
    personal_id = serializers.CharField(
        max_length=20, error_messages=_required(gettext_lazy("Vui lòng nhập số định danh cá nhân."))
    )
    full_name = serializers.CharField(
        max_length=150,
        validators=[validate_person_name],
        error_messages=_required(gettext_lazy("Vui lòng nhập họ và tên.")),
    )
    date_of_birth = serializers.DateField(
        error_messages={
            **_required(gettext_lazy("Vui lòng nhập ngày sinh.")),
            "invalid": gettext_lazy("Ngày sinh không hợp lệ (dạng YYYY-MM-DD)."),
        }
    )
    sex = serializers.ChoiceField(
        choices=Sex.choices,
        error_messages={
            **_required(gettext_lazy("Vui lòng chọn giới tính.")),
            "invalid_choice": gettext_lazy("Giới tính phải là M (nam) hoặc F (nữ)."),
        },
    )
    phone = serializers.CharField(
        max_length=30, error_messages=_required(gettext_lazy("Vui lòng nhập số điện thoại."))
    )
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=128,
        error_messages=_required(gettext_lazy("Vui lòng nhập mật khẩu.")),
    )
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": gettext_lazy("Địa chỉ thư điện tử không hợp lệ.")},
    )
    permanent_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    current_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "kind",
            "full_name",
            "personal_id",
            "date_of_birth",
            "sex",
            "phone",
            "phone_verified_at",
            "email",
            "permanent_address",
            "current_address",
            "unit",
            "roles",
        ]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.role_set())

    def get_unit(self, obj) -> dict | None:
        if not obj.unit_id:
            return None
        return {"code": obj.unit.code, "name": obj.unit.name}


class TokenRequestSerializer(VietnameseInputSerializer):
    username = serializers.CharField(
        max_length=USERNAME_MAX_LENGTH,
        help_text="Số định danh cá nhân (công dân) hoặc tên đăng nhập (cán bộ).",
        error_messages=_required(
            gettext_lazy("Vui lòng nhập số định danh cá nhân hoặc tên đăng nhập.")
        ),
    )
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        error_messages=_required(gettext_lazy("Vui lòng nhập mật khẩu.")),
    )


class TooManyAttempts(exceptions.Throttled):
    """429 with Retry-After (set by DRF from `wait`) and the code too_many_attempts."""

    default_code = "too_many_attempts"

    def __init__(self, wait: int):
        super().__init__(
            wait=wait,
            detail=_(
                "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. Vui lòng thử lại sau "
                "%(minutes)d phút, hoặc dùng chức năng Quên mật khẩu."
            )
            % {"minutes": minutes(wait)},
            code="too_many_attempts",
        )


TOKEN_SCHEMA = inline_serializer("Token", {"token": serializers.CharField()})


class SignupView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["auth"],
        summary="Citizen sign-up (personal identification number + password)",
        request=SignupSerializer,
        responses={
            201: inline_serializer(
                "SignupResult", {"token": serializers.CharField(), "user": UserSerializer()}
            ),
            400: OpenApiResponse(ERROR_SCHEMA, description="Invalid data (Vietnamese messages)"),
            409: OpenApiResponse(ERROR_SCHEMA, description="Number already registered"),
        },
    )
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = register_citizen(**serializer.validated_data)
        except DjangoValidationError as exc:
            # field → messages; the error handler puts the first message on top
            raise serializers.ValidationError(exc.message_dict) from None
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserSerializer(user).data}, status=201)


class TokenView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["auth"],
        summary="Log in and get an API token (header: Authorization: Token <token>)",
        description=(
            "For citizens. Staff accounts never receive a token with a password (an administrator "
            "issues integration tokens: admin “Tokens” or `manage.py drf_create_token`); for them "
            "the answer is the same 400 `invalid_credentials` as for a wrong password, and the "
            "attempt counts as a failed login.\n\n"
            "Failed logins here, on the site login page and on the admin login count toward one "
            "lockout (15 minutes after 5 failures for an account from one address, 10 for an "
            "account from any address, 30 from one address over any accounts): then 429 "
            "`too_many_attempts` with `Retry-After`, whatever the password."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TOKEN_SCHEMA,
            400: OpenApiResponse(ERROR_SCHEMA, description="Invalid data or credentials"),
            429: OpenApiResponse(ERROR_SCHEMA, description="Too many failed logins"),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = login_username(serializer.validated_data["username"])
        wait = lockout_seconds(request, username)
        if wait:  # checked before the password: nothing about it leaks during a lockout
            raise TooManyAttempts(wait)
        user = authenticate(
            request, username=username, password=serializer.validated_data["password"]
        )
        if (
            user is not None
            and user.is_officer
            and getattr(settings, "BACKOFFICE_OTP_REQUIRED", True)
        ):
            # A password alone must not open the back office: staff tokens for integrations are
            # issued by an administrator. Answered and counted exactly like a wrong password, so
            # the endpoint cannot tell a staff member's right password from a wrong one.
            record_failure(request, username)
            user = None
        if user is None:
            raise DomainError(
                _("Số định danh / tên đăng nhập hoặc mật khẩu không đúng."),
                code="invalid_credentials",
            )
        record_success(request, username)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["auth"], summary="The logged-in user", responses={200: UserSerializer})
    def get(self, request):
        user = User.objects.select_related("unit").get(pk=request.user.pk)
        return Response(UserSerializer(user).data)
