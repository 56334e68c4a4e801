"""Dossier API (/api/v1/dossiers/, /api/v1/lookup/). Views only call services and selectors;
every error is {"code", "message", "errors"} (portal.core.api.exception_handler)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.catalogue.selectors import filing_procedure
from portal.core.api import ApiErrorSerializer, error_response
from portal.core.errors import Conflict, NotFound
from portal.core.pagination import PageNumberPagination
from portal.core.ratelimit import ClientRateThrottle
from portal.dossiers import selectors, services
from portal.dossiers.attachments import citizen_file_response
from portal.dossiers.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DossierCompactSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    DossierUpdateSerializer,
    LookupResultSerializer,
    LookupSerializer,
    VersionSerializer,
    WithdrawSerializer,
    detail_representation,
)
from portal.units.selectors import area_by_code

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Dữ liệu không hợp lệ"),
    401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
    403: OpenApiResponse(ApiErrorSerializer, description="Không có quyền"),
    404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy"),
    409: OpenApiResponse(ApiErrorSerializer, description="Xung đột trạng thái"),
    429: OpenApiResponse(ApiErrorSerializer, description="Quá nhiều yêu cầu, thử lại sau"),
}


def _errors(*codes):
    return {c: ERRORS[c] for c in codes}


def _open_or_404(field_file):
    """The stored file, or a JSON 404 if it is missing from the private storage (never a 500)."""
    try:
        return field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound(
            _("Không tìm thấy tệp trên hệ thống lưu trữ."), code="file_missing"
        ) from None


def _detail(request, code: str) -> Response:
    """The detail (DossierDetailSerializer's representation, written out: detail_representation)."""
    dossier = selectors.dossier_detail_api(user=request.user, code=code)
    return Response(detail_representation(dossier, request=request))


FULL_REPRESENTATION = "return=representation"
PREFER_DESCRIPTION = (
    "Trả lời dạng rút gọn (mã hồ sơ, trạng thái, phiên bản, các mốc thời gian, liên kết). Gửi kèm "
    "tiêu đề `Prefer: return=representation` để nhận đầy đủ chi tiết hồ sơ (như "
    "`GET /api/v1/dossiers/{code}/`)."
)


def _wants_full(request) -> bool:
    prefer = request.headers.get("Prefer", "")
    return FULL_REPRESENTATION in prefer.replace(" ", "").lower()


def _written(request, dossier, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The answer to a write: the compact representation built from the instance the service
    returned (no further query), or the full detail when asked with `Prefer`."""
    if _wants_full(request):
        response = _detail(request, dossier.code)
        response.status_code = status_code
        response["Preference-Applied"] = FULL_REPRESENTATION
        return response
    return Response(DossierCompactSerializer(dossier).data, status=status_code)


class DossierListCreateView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination  # also tells the schema the list is paginated

    @extend_schema(
        summary="Hồ sơ của tôi",
        responses={200: DossierListSerializer(many=True), **_errors(401)},
        tags=["dossiers"],
    )
    def get(self, request):
        paginator = self.pagination_class()
        qs = selectors.dossiers_for_citizen(citizen=request.user)
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DossierListSerializer(page, many=True).data)

    @extend_schema(
        summary="Tạo hồ sơ (bản nháp)",
        description=PREFER_DESCRIPTION,
        request=DossierCreateSerializer,
        responses={201: DossierCompactSerializer, **_errors(400, 401, 403, 409)},
        tags=["dossiers"],
    )
    def post(self, request):
        body = DossierCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        procedure = filing_procedure(code=data["procedure"])
        if procedure is None:
            raise ValidationError({"procedure": [_("Không tìm thấy thủ tục này.")]})
        area = area_by_code(data["area"])
        if area is None:
            raise ValidationError({"area": [_("Không tìm thấy xã / phường này.")]})
        dossier = services.create_draft(
            citizen=request.user, procedure=procedure, area=area, form_data=data.get("form_data")
        )
        if "result_method" in data or "result_address" in data:
            dossier = services.update_draft(
                dossier=dossier,
                actor=request.user,
                result_method=data.get("result_method"),
                result_address=data.get("result_address"),
            )
        return _written(request, dossier, status_code=status.HTTP_201_CREATED)


class DossierDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Chi tiết hồ sơ (kèm lịch sử, văn bản, thao tác được phép)",
        responses={200: DossierDetailSerializer, **_errors(401, 404)},
        tags=["dossiers"],
    )
    def get(self, request, code: str):
        return _detail(request, code)

    @extend_schema(
        summary="Sửa bản nháp",
        request=DossierUpdateSerializer,
        responses={200: DossierDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def patch(self, request, code: str):
        dossier = selectors.get_dossier_for_user(user=request.user, code=code)
        body = DossierUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.update_draft(
            dossier=dossier,
            actor=request.user,
            form_data=data.get("form_data"),
            result_method=data.get("result_method"),
            result_address=data.get("result_address"),
            expected_version=data.get("version"),
            validate=not data.get("save_incomplete", False),
        )
        return _detail(request, code)


class _ActionView(APIView):
    permission_classes = [IsAuthenticated]
    body_class = VersionSerializer

    def act(self, request, dossier, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, code: str):
        # One read of the row: locked with the access filter, the service uses it as it is.
        with transaction.atomic():
            dossier = selectors.lock_dossier_for_user(user=request.user, code=code)
            body = self.body_class(data=request.data)
            body.is_valid(raise_exception=True)
            dossier = self.act(request, dossier, body.validated_data)
        return _written(request, dossier)


class SubmitView(_ActionView):
    @extend_schema(
        summary="Nộp hồ sơ",
        description=(
            "400 missing_documents: `errors.missing` liệt kê chính xác giấy tờ còn thiếu. "
            "409 phone_not_verified: số điện thoại của tài khoản chưa được xác minh (mọi thông "
            "báo về hồ sơ gửi qua SMS); xác minh trên trang “Xác minh số điện thoại” "
            "(/thong-bao/xac-minh-so-dien-thoai/) rồi nộp lại.\n\n" + PREFER_DESCRIPTION
        ),
        request=VersionSerializer,
        responses={200: DossierCompactSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, request, dossier, data):
        return services.submit(
            dossier=dossier, actor=request.user, expected_version=data.get("version")
        )


class WithdrawView(_ActionView):
    body_class = WithdrawSerializer

    @extend_schema(
        summary="Rút hồ sơ (trước khi tiếp nhận)",
        description=PREFER_DESCRIPTION,
        request=WithdrawSerializer,
        responses={200: DossierCompactSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, request, dossier, data):
        return services.withdraw(
            dossier=dossier,
            actor=request.user,
            reason=data.get("reason", ""),
            expected_version=data.get("version"),
        )


class SupplementView(_ActionView):
    @extend_schema(
        summary="Nộp lại hồ sơ sau khi bổ sung",
        description=PREFER_DESCRIPTION,
        request=VersionSerializer,
        responses={200: DossierCompactSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, request, dossier, data):
        return services.resubmit(
            dossier=dossier, actor=request.user, expected_version=data.get("version")
        )


class AttachmentListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Tệp đính kèm của hồ sơ",
        responses={200: AttachmentSerializer(many=True), **_errors(401, 404)},
        tags=["dossiers"],
    )
    def get(self, request, code: str):
        dossier = selectors.get_dossier_for_user(user=request.user, code=code)
        return Response(AttachmentSerializer(dossier.attachments.all(), many=True).data)

    @extend_schema(
        summary="Tải lên tệp đính kèm (PDF, JPEG, PNG)",
        description=(
            "Loại tệp được nhận biết theo nội dung. Mã lỗi: file_empty, file_too_large, "
            "file_type_not_allowed, file_unreadable, dossier_attachments_too_large, too_many_files."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def post(self, request, code: str):
        dossier = selectors.get_dossier_for_user(user=request.user, code=code)
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            dossier=dossier,
            actor=request.user,
            uploaded_file=body.validated_data["file"],
            requirement_key=body.validated_data.get("requirement_key", ""),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Tải xuống tệp đính kèm",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_errors(401, 404)},
        tags=["dossiers"],
    )
    def get(self, request, code: str, attachment_id: int):
        attachment = selectors.get_attachment_for_user(
            user=request.user, code=code, attachment_id=attachment_id
        )
        return citizen_file_response(
            _open_or_404(attachment.file),
            content_type=attachment.content_type,
            filename=attachment.original_name,
        )

    @extend_schema(
        summary="Xóa tệp đính kèm",
        responses={204: None, **_errors(401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def delete(self, request, code: str, attachment_id: int):
        attachment = selectors.get_attachment_for_user(
            user=request.user, code=code, attachment_id=attachment_id
        )
        services.delete_attachment(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Tải văn bản (phiếu tiếp nhận CT04, hướng dẫn bổ sung CT05, từ chối CT06, kết quả)",
        description="Văn bản được tạo một lần sau khi hồ sơ chuyển trạng thái và được lưu lại; "
        "khi văn bản còn đang tạo, trả 409 `document_pending` kèm `Retry-After` (giây).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Không đổi (If-None-Match)."),
            **_errors(401, 404, 409),
        },
        tags=["dossiers"],
    )
    def get(self, request, code: str, document_id: int):
        from portal.dossiers import documents

        document = selectors.get_document_for_user(
            user=request.user, code=code, document_id=document_id
        )
        if documents.is_pending(document):
            documents.requeue_if_stale(document)
            document.refresh_from_db(fields=["status", "file"])
        if documents.is_pending(document):
            response = error_response(
                "document_pending",
                _("Văn bản đang được tạo. Vui lòng thử lại sau ít giây."),
                status_code=status.HTTP_409_CONFLICT,
            )
            response["Retry-After"] = str(documents.RETRY_AFTER_SECONDS)
            return response
        if not documents.is_ready(document):
            raise Conflict(
                _("Văn bản chưa tạo được. Vui lòng thử lại sau hoặc liên hệ đơn vị tiếp nhận."),
                code="document_unavailable",
            )
        try:
            return documents.stored_response(
                request,
                document,
                filename=f"{document.dossier.code}-{document.kind}.pdf",
                as_attachment=True,
            )
        except (FileNotFoundError, ValueError):
            raise NotFound(_("Không tìm thấy văn bản."), code="not_found") from None


class LookupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "lookup"

    @extend_schema(
        summary="Tra cứu hồ sơ (không cần đăng nhập)",
        description="Mã hồ sơ + số định danh cá nhân → trạng thái và các mốc thời gian. "
        "Sai một trong hai đều trả cùng một lỗi 404.",
        request=LookupSerializer,
        responses={200: LookupResultSerializer, **_errors(400, 404, 429)},
        tags=["lookup"],
    )
    def post(self, request):
        body = LookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dossier = selectors.lookup_public(
            code=body.validated_data["code"], personal_id=body.validated_data["personal_id"]
        )
        if dossier is None:
            raise NotFound(
                _("Không tìm thấy hồ sơ với mã hồ sơ và số định danh cá nhân đã nhập."),
                code="not_found",
            )
        return Response(
            LookupResultSerializer(
                {
                    "code": dossier.code,
                    "state": dossier.state,
                    "state_label": dossier.get_state_display(),
                    "national_status_code": dossier.national_status_code,
                    "submitted_at": dossier.submitted_at,
                    "received_at": dossier.received_at,
                    "due_at": dossier.due_at,
                    "returned_at": dossier.returned_at,
                }
            ).data
        )
