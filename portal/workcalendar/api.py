"""Public estimate API: when would a submission made now (or at a given time) be received and due?"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer
from portal.core.errors import DomainError, NotFound

from . import selectors
from .services import LOCAL_TZ, estimate

# In a query string an unescaped "+" arrives as a space: "…T09:00:00 07:00" means "+07:00".
_SPACE_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")
# The `holidays` package knows the lunar holidays (Tết, Hùng Kings' day) up to 2100; outside these
# years an estimate would silently ignore them (and year 1 or 9999 cannot even be converted).
_FIRST_YEAR, _LAST_YEAR = 2000, 2099


class EstimateSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="Mã thủ tục, ví dụ 1.004194.")
    unit = serializers.CharField(allow_null=True, help_text="Mã đơn vị Công an, hoặc null.")
    submitted_at = serializers.DateTimeField(help_text="Thời điểm nộp (ISO 8601, +07:00).")
    received_at = serializers.DateTimeField(help_text="Thời điểm tiếp nhận dự kiến.")
    due_at = serializers.DateTimeField(help_text="Thời điểm hẹn trả kết quả dự kiến.")


def parse_submitted_at(raw: str | None) -> dt.datetime:
    """Parse an ISO 8601 time; without an offset it is Asia/Ho_Chi_Minh local time."""
    if raw is None or raw == "":
        return timezone.now().astimezone(LOCAL_TZ).replace(microsecond=0)
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = parse_datetime(text)
    except ValueError:  # well formed but impossible, e.g. 31 February
        value = None
    if value is None:
        raise DomainError(
            _(
                "Thời điểm nộp (submitted_at) không hợp lệ: cần định dạng ISO 8601, "
                "ví dụ 2026-03-02T09:00:00+07:00."
            ),
            code="invalid_submitted_at",
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=LOCAL_TZ)
    try:
        value = value.astimezone(LOCAL_TZ)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00
        value = None
    if value is None or not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        raise DomainError(
            _("Thời điểm nộp (submitted_at) phải trong khoảng năm %(first)s–%(last)s.")
            % {"first": _FIRST_YEAR, "last": _LAST_YEAR},
            code="invalid_submitted_at",
        )
    return value


class ProcedureEstimateView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="procedure_estimate",
        summary="Dự kiến thời điểm tiếp nhận và hẹn trả kết quả",
        description=(
            "Nộp trực tuyến ngoài giờ tiếp nhận được tiếp nhận vào đầu buổi tiếp nhận kế tiếp; "
            "thời hạn tính theo giờ làm việc của đơn vị (ngày nghỉ lễ, Tết, ngày nghỉ bù không tính). "
            "Thông báo lưu trú (2.001159) tiếp nhận 24/7: sau 23:00 tính là 08:00 ngày hôm sau."
        ),
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã thủ tục."
            ),
            OpenApiParameter(
                "submitted_at",
                OpenApiTypes.DATETIME,
                OpenApiParameter.QUERY,
                required=False,
                description=(
                    "Thời điểm nộp, ISO 8601 (mặc định: bây giờ). Không có múi giờ thì hiểu là "
                    "giờ Việt Nam (+07:00). Nhớ mã hoá dấu + thành %2B trong URL."
                ),
            ),
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Mã đơn vị Công an tiếp nhận (mặc định: giờ làm việc chung).",
            ),
        ],
        responses={200: EstimateSerializer, 400: ApiErrorSerializer, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "Đăng ký tạm trú",
                value={
                    "procedure": "1.004194",
                    "unit": None,
                    "submitted_at": "2026-03-07T08:00:00+07:00",
                    "received_at": "2026-03-07T08:00:00+07:00",
                    "due_at": "2026-03-11T17:00:00+07:00",
                },
                response_only=True,
            )
        ],
        tags=["procedures"],
    )
    def get(self, request: Request, code: str) -> Response:
        procedure = selectors.published_procedure(code=code)
        if procedure is None:
            raise NotFound(
                _("Không tìm thấy thủ tục có mã “%(code)s”.") % {"code": code},
                code="procedure_not_found",
            )
        unit = None
        unit_code = request.query_params.get("unit") or None
        if unit_code is not None:
            unit = selectors.active_unit(code=unit_code)
            if unit is None:
                raise NotFound(
                    _("Không tìm thấy đơn vị Công an có mã “%(code)s”.") % {"code": unit_code},
                    code="unit_not_found",
                )
        submitted_at = parse_submitted_at(request.query_params.get("submitted_at"))
        result = estimate(procedure=procedure, submitted_at=submitted_at, unit=unit)
        return Response(
            {
                "procedure": procedure.code,
                "unit": unit.code if unit else None,
                "submitted_at": submitted_at.isoformat(),
                "received_at": result.received_at.isoformat(),
                "due_at": result.due_at.isoformat(),
            }
        )
