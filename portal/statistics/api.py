"""Public statistics API: per unit and month, counts and rates only (no personal data)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer

from . import selectors
from .services import current_month


class UnitMonthSerializer(serializers.Serializer):
    unit_code = serializers.CharField(help_text="Mã đơn vị Công an.")
    unit_name = serializers.CharField(help_text="Tên đơn vị.")
    month = serializers.CharField(help_text="Tháng, YYYY-MM.")
    received = serializers.IntegerField(help_text="Hồ sơ tiếp nhận trong tháng.")
    completed = serializers.IntegerField(
        help_text="Hồ sơ đã giải quyết trong tháng (trả kết quả, từ chối, dừng xử lý)."
    )
    on_time_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=False,
        help_text="Tỷ lệ giải quyết đúng hạn (%), null khi chưa có hồ sơ giải quyết.",
    )
    online_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=False,
        help_text="Tỷ lệ hồ sơ nộp trực tuyến (%), null khi chưa có hồ sơ.",
    )
    satisfaction_average = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text="Điểm hài lòng trung bình (1–5), null khi chưa có đánh giá.",
    )
    satisfaction_count = serializers.IntegerField(help_text="Số lượt đánh giá.")
    complaints_received = serializers.IntegerField(help_text="Phản ánh, kiến nghị tiếp nhận.")
    complaints_resolved = serializers.IntegerField(help_text="Phản ánh, kiến nghị đã giải quyết.")


class UnitStatisticsPageSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="Tháng, YYYY-MM.")
    count = serializers.IntegerField(help_text="Số đơn vị có số liệu trong tháng.")
    next = serializers.URLField(allow_null=True, help_text="Trang sau.")
    previous = serializers.URLField(allow_null=True, help_text="Trang trước.")
    results = UnitMonthSerializer(many=True)


class StatisticsPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class UnitStatisticsView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # anonymous and public: no session, no CSRF
    pagination_class = StatisticsPagination

    @extend_schema(
        operation_id="statistics_units",
        summary="Thống kê công khai theo đơn vị và tháng",
        description=(
            "Số liệu tổng hợp (không có dữ liệu cá nhân) theo tinh thần Bộ chỉ số phục vụ người "
            "dân, doanh nghiệp (Quyết định 766/QĐ-TTg): hồ sơ tiếp nhận, đã giải quyết, tỷ lệ "
            "đúng hạn, tỷ lệ trực tuyến, mức độ hài lòng, phản ánh kiến nghị. Cập nhật định kỳ."
        ),
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Tháng, YYYY-MM (mặc định: tháng hiện tại).",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description="Số đơn vị mỗi trang (tối đa 500).",
            ),
        ],
        responses={
            200: UnitStatisticsPageSerializer,
            400: ApiErrorSerializer,
            404: ApiErrorSerializer,
        },
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("month")
        month = selectors.parse_month(raw) if raw is not None else current_month()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.public_month(month=month), request, view=self)
        data = UnitMonthSerializer([selectors.public_figures(r) for r in page], many=True).data
        response = paginator.get_paginated_response(data)
        response.data = {"month": f"{month:%Y-%m}", **response.data}
        response["Cache-Control"] = "public, max-age=300"
        return response
