"""Booking API (/api/v1/booking/): free slots of a unit, and the citizen's appointments (book,
move, cancel). Views only call selectors and services; errors use the API's JSON shape."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer
from portal.core.errors import DomainError, NotFound
from portal.core.pagination import PageNumberPagination
from portal.dossiers.selectors import dossiers_for_citizen
from portal.workcalendar.services import LOCAL_TZ

from . import selectors, services
from .models import AppointmentState

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Dữ liệu không hợp lệ"),
    401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
    403: OpenApiResponse(ApiErrorSerializer, description="Không có quyền"),
    404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy"),
    409: OpenApiResponse(
        ApiErrorSerializer, description="Khung giờ đã đủ người, hoặc trạng thái không cho phép"
    ),
}


def _errors(*codes):
    return {c: ERRORS[c] for c in codes}


# --- serializers ------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="Bắt đầu khung giờ (+07:00).")
    ends_at = serializers.DateTimeField(help_text="Kết thúc khung giờ.")
    capacity = serializers.IntegerField(help_text="Số lượt tiếp trong khung giờ.")
    free = serializers.IntegerField(help_text="Số lượt còn trống.")


class SlotListSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Mã đơn vị Công an.")
    unit_name = serializers.CharField()
    date_from = serializers.DateField(help_text="Ngày đầu (đã giới hạn trong khoảng đặt lịch).")
    date_to = serializers.DateField(help_text="Ngày cuối.")
    slots = SlotSerializer(many=True)


class AppointmentEventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="booked, moved, cancelled, checked_in, no_show.")
    at = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    previous_starts_at = serializers.DateTimeField(allow_null=True)


class AppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code", help_text="Mã đơn vị Công an.")
    unit_name = serializers.CharField(source="unit.name")
    unit_address = serializers.CharField(source="unit.address")
    dossier = serializers.SerializerMethodField(help_text="Mã hồ sơ, hoặc null.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=AppointmentState.choices)
    state_display = serializers.CharField(source="get_state_display")
    checked_in_at = serializers.DateTimeField(allow_null=True)

    def get_dossier(self, obj) -> str | None:
        return obj.dossier.code if obj.dossier_id else None


class AppointmentDetailSerializer(AppointmentSerializer):
    events = AppointmentEventSerializer(many=True, source="events.all")


class BookSerializer(VietnameseInputSerializer):
    dossier = serializers.CharField(max_length=40, help_text="Mã hồ sơ cần đến làm thủ tục.")
    starts_at = serializers.CharField(
        max_length=40,
        help_text="Bắt đầu khung giờ chọn, ISO 8601, ví dụ 2026-03-02T08:00:00+07:00.",
    )


class MoveSerializer(VietnameseInputSerializer):
    starts_at = serializers.CharField(max_length=40, help_text="Khung giờ mới, ISO 8601 (+07:00).")


class CancelSerializer(VietnameseInputSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


# --- parsing ----------------------------------------------------------------------------------


def parse_starts_at(raw: str) -> dt.datetime:
    """ISO 8601 date and time; without an offset it is Vietnam time (+07:00)."""
    text = (raw or "").strip()
    if len(text) > 10 and text[-6] == " ":  # "+07:00" arrived as " 07:00" in a query string
        text = text[:-6] + "+" + text[-5:]
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=LOCAL_TZ)
    if value is not None:
        try:
            value = value.astimezone(LOCAL_TZ)
        except (OverflowError, ValueError):
            value = None
    if value is None or not 2000 <= value.year <= 2099:
        raise DomainError(
            _(
                "Thời điểm hẹn (starts_at) không hợp lệ: cần định dạng ISO 8601, "
                "ví dụ 2026-03-02T08:00:00+07:00."
            ),
            code="invalid_starts_at",
            details={"starts_at": [_("Thời điểm hẹn không hợp lệ.")]},
        )
    return value


def _parse_day(raw: str | None, name: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise DomainError(
            _("Ngày “%(name)s” không hợp lệ: cần định dạng YYYY-MM-DD.") % {"name": name},
            code="invalid_date",
            details={name: [_("Ngày không hợp lệ.")]},
        ) from None


# --- views ------------------------------------------------------------------------------------


class UnitSlotsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="booking_unit_slots",
        summary="Khung giờ còn trống của một đơn vị",
        description=(
            "Các khung giờ hẹn còn trống theo giờ tiếp công dân của đơn vị (không có ngày nghỉ "
            "lễ, Tết, ngày nghỉ bổ sung), từ ngày mai đến hết số ngày cho phép đặt trước."
        ),
        parameters=[
            OpenApiParameter("unit_code", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="Từ ngày (mặc định: ngày mai).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="Đến ngày (mặc định: ngày cuối cùng được đặt).",
            ),
        ],
        responses={200: SlotListSerializer, **_errors(400, 404)},
        tags=["booking"],
    )
    def get(self, request, unit_code: str):
        unit = selectors.bookable_unit(code=unit_code)
        if unit is None:
            raise NotFound(
                _("Không tìm thấy đơn vị Công an có mã “%(code)s”.") % {"code": unit_code},
                code="unit_not_found",
            )
        date_from = _parse_day(request.query_params.get("from"), "from")
        date_to = _parse_day(request.query_params.get("to"), "to")
        first, last = services.booking_window()
        date_from = max(date_from or first, first)
        date_to = min(date_to or last, last)
        slots = services.free_slots(unit=unit, date_from=date_from, date_to=date_to)
        return Response(
            SlotListSerializer(
                {
                    "unit": unit.code,
                    "unit_name": unit.name,
                    "date_from": date_from,
                    "date_to": max(date_to, date_from),
                    "slots": slots,
                }
            ).data
        )


class AppointmentListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="booking_appointments_list",
        summary="Lịch hẹn của tôi",
        responses={200: AppointmentSerializer(many=True), **_errors(401)},
        tags=["booking"],
    )
    def get(self, request):
        paginator = self.pagination_class()
        qs = selectors.appointments_for_citizen(citizen=request.user)
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AppointmentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="booking_appointments_create",
        summary="Đặt lịch hẹn cho hồ sơ",
        description=(
            "400: ngày nghỉ lễ (slot_holiday), ngoài giờ (slot_outside_hours), đã qua "
            "(slot_past), ngoài khoảng cho phép (slot_too_soon, slot_too_far). 409: khung giờ đã "
            "đủ người (slot_full), hồ sơ đã có lịch hẹn (already_booked), hồ sơ không cần đến "
            "trụ sở (visit_not_needed), chưa nộp hoặc đã kết thúc."
        ),
        request=BookSerializer,
        responses={201: AppointmentDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Đặt lịch",
                value={"dossier": "G09.20-261201-0001", "starts_at": "2026-12-02T08:00:00+07:00"},
                request_only=True,
            )
        ],
        tags=["booking"],
    )
    def post(self, request):
        body = BookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        dossier = dossiers_for_citizen(citizen=request.user).filter(code=data["dossier"]).first()
        if dossier is None:
            raise NotFound(_("Không tìm thấy hồ sơ."), code="not_found")
        appointment = services.book(
            citizen=request.user, dossier=dossier, starts_at=parse_starts_at(data["starts_at"])
        )
        return Response(
            AppointmentDetailSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


class AppointmentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_appointment_detail",
        summary="Chi tiết lịch hẹn (kèm lịch sử)",
        responses={200: AppointmentDetailSerializer, **_errors(401, 404)},
        tags=["booking"],
    )
    def get(self, request, pk: int):
        appointment = selectors.get_appointment_for_citizen(citizen=request.user, pk=pk)
        return Response(AppointmentDetailSerializer(appointment).data)


class AppointmentMoveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_appointment_move",
        summary="Đổi lịch hẹn sang khung giờ khác",
        request=MoveSerializer,
        responses={200: AppointmentDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["booking"],
    )
    def post(self, request, pk: int):
        appointment = selectors.get_appointment_for_citizen(citizen=request.user, pk=pk)
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.move(
            actor=request.user,
            appointment=appointment,
            starts_at=parse_starts_at(body.validated_data["starts_at"]),
        )
        return Response(AppointmentDetailSerializer(appointment).data)


class AppointmentCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_appointment_cancel",
        summary="Hủy lịch hẹn (trước giờ hẹn)",
        request=CancelSerializer,
        responses={200: AppointmentDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["booking"],
    )
    def post(self, request, pk: int):
        appointment = selectors.get_appointment_for_citizen(citizen=request.user, pk=pk)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.cancel(
            actor=request.user,
            appointment=appointment,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(AppointmentDetailSerializer(appointment).data)
