"""Identity-card API (/api/v1/citizen-id/…): the public expiry check, the holder's cards and the
report of a lost card. Views only call services and selectors; errors use the API's JSON shape."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer
from portal.core.errors import DomainError
from portal.core.ratelimit import ClientRateThrottle

from . import selectors, services
from .expiry import card_expiry

_ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Dữ liệu không hợp lệ"),
    401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
    403: OpenApiResponse(ApiErrorSerializer, description="Không có quyền"),
    404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy"),
    409: OpenApiResponse(ApiErrorSerializer, description="Xung đột trạng thái"),
    429: OpenApiResponse(ApiErrorSerializer, description="Quá nhiều yêu cầu, thử lại sau"),
}
# Dates before this are not birth dates of living card holders (and keep the arithmetic sane).
_FIRST_YEAR = 1900


def _errors(*codes):
    return {c: _ERRORS[c] for c in codes}


class CardExpirySerializer(serializers.Serializer):
    expires_on = serializers.DateField(
        allow_null=True, help_text="Ngày hết hạn (YYYY-MM-DD); null: thẻ không có thời hạn."
    )
    renewal_age = serializers.IntegerField(
        allow_null=True, help_text="Tuổi phải cấp đổi (14, 25, 40 hoặc 60); null: không phải đổi."
    )


class CardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Số thẻ = số định danh cá nhân.")
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    kind = serializers.CharField(help_text="first, renewal hoặc reissue.")
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    issuing_unit = serializers.CharField(allow_null=True, source="issuing_unit.name", default=None)
    status = serializers.CharField(help_text="valid, expired, reported_lost, revoked, replaced.")
    status_label = serializers.CharField(source="get_status_display")
    status_changed_at = serializers.DateTimeField()
    replaces = serializers.IntegerField(allow_null=True, source="replaces_id")


class ReportLostSerializer(VietnameseInputSerializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Ghi chú (nơi, lúc mất…)."
    )


def _parse_date(raw: str | None, name: str, label: str) -> dt.date:
    value = None
    if raw:
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None or len(raw.strip()) != 10:
        raise DomainError(
            _("%(label)s không hợp lệ: cần một ngày có thật theo định dạng YYYY-MM-DD.")
            % {"label": label},
            code="invalid_date",
            details={name: [_("Cần một ngày có thật theo định dạng YYYY-MM-DD.")]},
        )
    if value.year < _FIRST_YEAR:
        raise DomainError(
            _("%(label)s phải từ năm %(year)s trở đi.") % {"label": label, "year": _FIRST_YEAR},
            code="invalid_date",
            details={name: [_("Năm quá xa.")]},
        )
    return value


class CardExpiryView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "card_expiry"

    @extend_schema(
        operation_id="citizen_id_card_expiry",
        summary="Thời hạn sử dụng của thẻ căn cước (không cần đăng nhập)",
        description=(
            "Điều 21 Luật Căn cước 2023: cấp đổi khi đủ 14, 25, 40 và 60 tuổi; thẻ được cấp, cấp "
            "đổi, cấp lại trong thời hạn 02 năm trước các tuổi đó có giá trị đến tuổi cấp đổi tiếp "
            "theo; thẻ cấp từ đủ 58 tuổi không có thời hạn. 400 invalid_date: ngày không hợp lệ, "
            "ngày cấp trước ngày sinh hoặc sau hôm nay."
        ),
        parameters=[
            OpenApiParameter(
                "date_of_birth",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="Ngày sinh, YYYY-MM-DD.",
            ),
            OpenApiParameter(
                "issued_on",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="Ngày cấp (cấp đổi, cấp lại) thẻ, YYYY-MM-DD.",
            ),
        ],
        responses={200: CardExpirySerializer, **_errors(400, 429)},
        examples=[
            OpenApiExample(
                "Cấp năm 20 tuổi",
                value={"expires_on": "2030-05-04", "renewal_age": 25},
                response_only=True,
            )
        ],
        tags=["citizen-id"],
    )
    def get(self, request):
        born = _parse_date(
            request.query_params.get("date_of_birth"), "date_of_birth", _("Ngày sinh")
        )
        issued = _parse_date(request.query_params.get("issued_on"), "issued_on", _("Ngày cấp"))
        today = timezone.localdate()
        if issued > today:
            raise DomainError(
                _("Ngày cấp không thể sau ngày hôm nay."),
                code="invalid_date",
                details={"issued_on": [_("Ngày cấp không thể sau ngày hôm nay.")]},
            )
        if issued < born:
            raise DomainError(
                _("Ngày cấp không thể trước ngày sinh."),
                code="invalid_date",
                details={"issued_on": [_("Ngày cấp không thể trước ngày sinh.")]},
            )
        expiry = card_expiry(date_of_birth=born, issued_on=issued)
        return Response(
            CardExpirySerializer(
                {"expires_on": expiry.expires_on, "renewal_age": expiry.renewal_age}
            ).data
        )


class MyCardsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="citizen_id_my_cards",
        summary="Thẻ căn cước của tôi",
        description="Các thẻ căn cước mang số định danh cá nhân của tài khoản, mới nhất trước.",
        responses={200: CardSerializer(many=True), **_errors(401, 403)},
        tags=["citizen-id"],
    )
    def get(self, request):
        cards = selectors.cards_of_holder(user=request.user)
        return Response(CardSerializer(cards, many=True).data)


class ReportLostView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="citizen_id_card_report_lost",
        summary="Báo mất thẻ căn cước",
        description=(
            "Chỉ người được cấp thẻ; thẻ của người khác trả 404. Tình trạng đổi ngay sang "
            "“Đã báo mất” (lịch sử được giữ); báo lại lần nữa không đổi gì. 409 card_not_losable: "
            "thẻ đã được thay hoặc đã bị thu hồi."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=ReportLostSerializer,
        responses={200: CardSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["citizen-id"],
    )
    def post(self, request, pk: int):
        card = selectors.get_card_for_holder(user=request.user, pk=pk)
        body = ReportLostSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        card = services.report_lost(
            card=card, actor=request.user, note=body.validated_data.get("note", "")
        )
        return Response(CardSerializer(card).data)
