"""The postal operator's webhook: `POST /api/v1/postal/events/` (signed tracking events)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer
from portal.postal import services
from portal.postal.models import ShipmentState
from portal.postal.providers import SIGNATURE_HEADER


class PostalEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=64, help_text="Mã duy nhất của sự kiện.")
    tracking_number = serializers.CharField(max_length=40)
    state = serializers.ChoiceField(choices=ShipmentState.choices)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601, có múi giờ.")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PostalEventResultSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    state = serializers.ChoiceField(choices=ShipmentState.choices)
    applied = serializers.BooleanField(help_text="false: sự kiện này đã được ghi nhận trước đó.")


class PostalEventView(APIView):
    """Signed by the operator (HMAC-SHA256 of the raw body with POSTAL_WEBHOOK_SECRET), not by
    a user: no session, no token."""

    authentication_classes: list = []
    parser_classes = [JSONParser]
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="postal_events_create",
        summary="Sự kiện hành trình bưu gửi (webhook của đơn vị bưu chính)",
        request=PostalEventSerializer,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<HMAC-SHA256 hex của thân yêu cầu với POSTAL_WEBHOOK_SECRET>",
            )
        ],
        responses={
            200: PostalEventResultSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="Dữ liệu không hợp lệ"),
            401: OpenApiResponse(ApiErrorSerializer, description="Thiếu hoặc sai chữ ký"),
            404: OpenApiResponse(ApiErrorSerializer, description="Không có bưu gửi này"),
            409: OpenApiResponse(
                ApiErrorSerializer, description="Sự kiện không theo thứ tự (cũ hơn hoặc lùi lại)"
            ),
        },
        tags=["postal"],
    )
    def post(self, request):
        body = request.body
        result = services.receive_webhook(
            body=body, signature=request.headers.get(SIGNATURE_HEADER)
        )
        return Response(PostalEventResultSerializer(result).data)
