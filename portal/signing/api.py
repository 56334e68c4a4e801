"""POST /api/v1/verify/: the API twin of /xac-thuc/ (multipart `file`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core import ratelimit
from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer
from portal.core.errors import DomainError
from portal.signing import verification
from portal.signing.views import rate_key, read_upload


class VerifyRequestSerializer(VietnameseInputSerializer):
    file = serializers.FileField(
        help_text="Tệp PDF cần kiểm tra (multipart/form-data).",
        error_messages={"required": _("Chọn tệp PDF cần kiểm tra."), "empty": _("Tệp rỗng.")},
    )


class VerifiedDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    dossier_code = serializers.CharField()
    procedure = serializers.CharField()
    unit = serializers.CharField()
    issued_at = serializers.DateTimeField()
    issued_at_label = serializers.CharField()
    holder_name = serializers.CharField(help_text="Họ tên đã che bớt.")
    holder_personal_id = serializers.CharField(help_text="Số định danh đã che bớt.")
    sha256 = serializers.CharField()
    signed = serializers.BooleanField()


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField()
    signed_at = serializers.CharField(allow_null=True)
    valid = serializers.BooleanField()
    problem = serializers.CharField(allow_blank=True)


class VerifyResultSerializer(serializers.Serializer):
    signature_valid = serializers.BooleanField()
    issued_here = serializers.BooleanField()
    document = VerifiedDocumentSerializer(allow_null=True)
    sha256 = serializers.CharField()
    signatures = SignatureSerializer(many=True)
    message = serializers.CharField()


class BadUpload(DomainError):
    status = 400


class VerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Kiểm tra văn bản điện tử (không cần đăng nhập)",
        description="Tải lên một tệp PDF: chữ ký số có hợp lệ không (theo các chứng thư gốc được "
        "tin cậy) và văn bản có do cổng cấp không (mã băm SHA-256 trùng một văn bản đã cấp). "
        "Tệp không phải PDF → 400.",
        request={"multipart/form-data": VerifyRequestSerializer},
        responses={
            200: VerifyResultSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="Không phải tệp PDF, quá lớn"),
            429: OpenApiResponse(ApiErrorSerializer, description="Quá nhiều yêu cầu"),
        },
        tags=["verify"],
    )
    def post(self, request):
        wait = ratelimit.hit_or_wait(
            rate_key(request),
            limit=settings.VERIFY_RATE_LIMIT,
            window=settings.VERIFY_RATE_WINDOW_SECONDS,
        )
        if wait:
            raise exceptions.Throttled(wait=wait)
        body = VerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = read_upload(body.validated_data["file"])
        if data is None:
            limit_mb = verification.max_upload_bytes() // (1024 * 1024)
            raise BadUpload(
                _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": limit_mb}, code="file_too_large"
            )
        try:
            verdict = verification.verify_upload(data)
        except verification.NotAPdf as exc:
            raise BadUpload(str(exc), code="not_a_pdf") from None
        return Response(VerifyResultSerializer(verdict.as_dict()).data)
