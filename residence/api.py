"""Registry API for citizens: GET /api/v1/residence/me/ (their own record)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer
from portal.core.errors import PermissionDenied
from residence import selectors
from residence.serializers import ResidenceRecordSerializer


class MyResidenceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Thông tin cư trú của tôi",
        description=(
            "Thông tin của công dân đang đăng nhập trong CSDL cư trú: thường trú, tạm trú, nơi ở "
            "hiện tại, hộ gia đình và các thành viên, lưu trú đang mở, tạm vắng hiện tại và sắp "
            "tới. Chưa có trong CSDL: `person` là null, kèm `message`. Chỉ dành cho công dân."
        ),
        responses={
            200: ResidenceRecordSerializer,
            401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
            403: OpenApiResponse(
                ApiErrorSerializer, description="Tài khoản cán bộ (chức năng dành cho công dân)"
            ),
        },
        tags=["residence"],
    )
    def get(self, request):
        if not getattr(request.user, "is_citizen", False):
            raise PermissionDenied(_("Chức năng này dành cho công dân."), code="citizens_only")
        record = selectors.my_residence(request.user)
        return Response(ResidenceRecordSerializer(record).data)
