"""Staff API for one-stop software and scripts: the queues and every decision, with the same
required reasons and the same role and unit checks as the admin (they call the same services).

GET  /api/v1/staff/dossiers/?queue=reception|mine|…&state=&q=
GET  /api/v1/staff/dossiers/{code}/
POST /api/v1/staff/dossiers/{code}/{action}/
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.catalogue.models import RequiredDocument, ResultMethod
from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer
from portal.core.errors import DomainError, NotFound, PermissionDenied
from portal.core.pagination import NextLinkPagination
from portal.dossiers import selectors as dossier_selectors
from portal.dossiers.models import Dossier, State
from portal.dossiers.serializers import TimelineEntrySerializer

from . import selectors, services
from .admin import available_actions
from .models import ContactLog, RefusalReason
from .otp import otp_required

logger = logging.getLogger(__name__)


class ApprovalFailed(DomainError):
    """The plugin's approval effect failed; the transaction (state and effect) was rolled back."""

    code = "approval_failed"
    status = 503


class IsBackOfficeUser(BasePermission):
    """Officers of a unit (or administrators). A browser session must have passed the second
    factor, as for the admin: a password alone (e.g. the citizens' login page) is not enough.
    Integrations authenticate with a staff token issued by an administrator."""

    message = "Chỉ cán bộ của đơn vị Công an được dùng API này."

    def has_permission(self, request, view):
        if not selectors.can_use_back_office(request.user):
            return False
        if otp_required() and isinstance(request.successful_authenticator, SessionAuthentication):
            is_verified = getattr(request._request.user, "is_verified", None)
            if not (callable(is_verified) and is_verified()):
                raise PermissionDenied(
                    _(
                        "Phiên đăng nhập chưa xác thực hai lớp: đăng nhập trang quản trị bằng mật "
                        "khẩu và mã xác thực, hoặc dùng token API của cán bộ."
                    ),
                    code="second_factor_required",
                )
        return True


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Thiếu lý do / lý do chưa cụ thể"),
    401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
    403: OpenApiResponse(ApiErrorSerializer, description="Không có quyền (vai trò / đơn vị)"),
    404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy (hoặc của đơn vị khác)"),
    409: OpenApiResponse(
        ApiErrorSerializer, description="Trạng thái không cho phép / đã bị người khác thay đổi"
    ),
    503: OpenApiResponse(
        ApiErrorSerializer,
        description="Phê duyệt không ghi nhận được kết quả (đã hoàn tác, hồ sơ không thay đổi)",
    ),
}


# ----------------------------------------------------------------------------------------------
# Output


class StaffDossierSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name_vi")
    level = serializers.IntegerField(source="procedure.level")
    unit_code = serializers.CharField(source="unit.code")
    state_label = serializers.CharField(source="get_state_display")
    national_status_code = serializers.IntegerField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    assigned_to = serializers.CharField(
        source="assigned_to.username", default=None, allow_null=True
    )
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure_code",
            "procedure_name",
            "level",
            "unit_code",
            "state",
            "state_label",
            "national_status_code",
            "applicant_name",
            "applicant_personal_id",
            "submitted_at",
            "received_at",
            "accepted_at",
            "due_at",
            "paused_at",
            "overdue",
            "result_method",
            "assigned_to",
            "version",
            "allowed_actions",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return available_actions(dossier=obj, user=request.user) if request else []


class RefusalProposalSerializer(serializers.Serializer):
    reason_category = serializers.CharField(source="reason.code")
    reason_title = serializers.CharField(source="reason.title")
    legal_provision = serializers.CharField(source="reason.legal_provision")
    explanation = serializers.CharField()
    documents = serializers.ListField(child=serializers.CharField())
    proposed_by = serializers.CharField(source="proposed_by.username")
    proposed_at = serializers.DateTimeField()


class StaffDossierDetailSerializer(StaffDossierSerializer):
    form_data = serializers.JSONField()
    history = serializers.SerializerMethodField()
    refusal_proposal = serializers.SerializerMethodField(
        help_text="Đề xuất từ chối đang chờ lãnh đạo duyệt (null nếu không có)."
    )

    class Meta(StaffDossierSerializer.Meta):
        fields = [*StaffDossierSerializer.Meta.fields, "form_data", "history", "refusal_proposal"]

    @extend_schema_field(RefusalProposalSerializer(allow_null=True))
    def get_refusal_proposal(self, obj):
        proposal = services.pending_refusal_proposal(dossier=obj)
        return RefusalProposalSerializer(proposal).data if proposal else None

    def get_history(self, obj) -> list[dict]:
        return TimelineEntrySerializer(
            dossier_selectors.timeline(dossier=obj, for_citizen=False), many=True
        ).data


# ----------------------------------------------------------------------------------------------
# Input (the same demands as the admin forms; reasons are checked by the services). Every text has
# a length limit: a reason or guidance of TEXT_MAX characters is already a long letter.

TEXT_MAX = 2000


class VersionInput(VietnameseInputSerializer):
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Phiên bản hồ sơ cán bộ đã xem (chống ghi đè khi hai người cùng xử lý).",
    )


class ItemInput(VietnameseInputSerializer):
    document = serializers.CharField(max_length=300)
    copy_kind = serializers.ChoiceField(choices=RequiredDocument.CopyKind.choices)
    problem = serializers.CharField(max_length=500)


class SupplementInput(VersionInput):
    items = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=True,
        max_length=50,
        help_text="Ít nhất một mục {document, copy_kind, problem}.",
    )
    guidance = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class RefuseInput(VersionInput):
    reason_category = serializers.CharField(
        max_length=40,
        help_text="Mã (code) lý do trong danh mục, áp dụng cho thủ tục của hồ sơ "
        "(GET /api/v1/staff/refusal-reasons/?procedure=<mã thủ tục>).",
    )
    explanation = serializers.CharField(
        allow_blank=True,
        max_length=TEXT_MAX,
        help_text="Nêu cụ thể thiếu giấy tờ nào hoặc điều kiện nào không đáp ứng.",
    )
    documents = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        default=list,
        max_length=30,
        help_text="Giấy tờ liên quan (mã giấy tờ trong thành phần hồ sơ của thủ tục).",
    )


class DecideRefusalInput(VersionInput):
    decision = serializers.ChoiceField(
        choices=["approve", "return"],
        help_text="approve = duyệt (từ chối hồ sơ, lãnh đạo ký CT06); return = trả lại đề xuất.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_MAX,
        help_text="Ý kiến của lãnh đạo (bắt buộc, cụ thể, khi trả lại).",
    )


class AssignInput(VersionInput):
    officer = serializers.CharField(max_length=150, help_text="Tên đăng nhập của cán bộ xử lý.")


class ReturnInput(VersionInput):
    method = serializers.ChoiceField(
        choices=[ResultMethod.IN_PERSON, ResultMethod.POST, ResultMethod.ELECTRONIC]
    )
    collected_by_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150
    )
    collected_by_personal_id = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20
    )
    originals_compared = serializers.BooleanField(required=False, default=False)
    postal_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


class ContactInput(VietnameseInputSerializer):
    contacted_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=ContactLog.Channel.choices)
    outcome = serializers.ChoiceField(choices=ContactLog.Outcome.choices)
    note = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class ApologyInput(VersionInput):
    new_due_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class StopInput(VersionInput):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


def _officer(username: str) -> User:
    user = User.objects.filter(username=username, kind=User.Kind.STAFF, is_active=True).first()
    if user is None:
        raise services.ReasonError(
            _("Không tìm thấy cán bộ được phân công."),
            code="invalid_officer",
            details={"officer": [_("Không tìm thấy cán bộ.")]},
        )
    return user


def _run(action: str, dossier: Dossier, user, data: dict) -> None:
    if action == "assign":
        data["officer"] = _officer(data["officer"])
    if action != "approve":
        services.perform_decision(action=action, dossier=dossier, actor=user, data=data)
        return
    try:
        services.perform_decision(action=action, dossier=dossier, actor=user, data=data)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - the plugin's approval effect failed: rolled back
        logger.exception("Approval of %s failed", dossier.code)
        raise ApprovalFailed(
            _(
                "Không phê duyệt được: lỗi khi ghi nhận kết quả. Hồ sơ không thay đổi; "
                "vui lòng báo quản trị hệ thống."
            )
        ) from None


# ----------------------------------------------------------------------------------------------
# Views


class StaffDossierListView(ListAPIView):
    permission_classes = [IsBackOfficeUser]
    serializer_class = StaffDossierSerializer
    # a unit's history can be a million rows: pages without a count (next/previous links)
    pagination_class = NextLinkPagination

    @extend_schema(
        summary="Hàng đợi hồ sơ của đơn vị (cán bộ)",
        parameters=[
            OpenApiParameter(
                "queue",
                str,
                enum=[q.key for q in selectors.QUEUES],
                description="Hàng đợi: "
                + ", ".join(f"{q.key} = {q.label}" for q in selectors.QUEUES),
            ),
            OpenApiParameter("state", str, enum=[s for s, _ in State.choices]),
            OpenApiParameter("q", str, description="Mã hồ sơ, họ tên hoặc số định danh."),
        ],
        responses={
            200: StaffDossierSerializer(many=True),
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.staff_list(
            user=self.request.user,
            queue=params.get("queue") or None,
            state=params.get("state") or None,
            search=params.get("q") or None,
        )


class StaffDossierDetailView(APIView):
    permission_classes = [IsBackOfficeUser]

    @extend_schema(
        summary="Chi tiết hồ sơ (cán bộ)",
        responses={200: StaffDossierDetailSerializer, 404: ERRORS[404]},
    )
    def get(self, request, code: str):
        dossier = selectors.get_dossier_for_staff(user=request.user, code=code)
        return Response(StaffDossierDetailSerializer(dossier, context={"request": request}).data)


ACTION_INPUTS: dict[str, tuple[type[serializers.Serializer], str]] = {
    "receive": (VersionInput, "Tiếp nhận hồ sơ (lập giấy hẹn CT04)"),
    "request_supplement": (SupplementInput, "Yêu cầu bổ sung (CT05), mọi mục trong một lần"),
    "refuse": (
        RefuseInput,
        "Từ chối (lãnh đạo đơn vị; CT06 do lãnh đạo ký) theo danh mục lý do của thủ tục",
    ),
    "propose_refusal": (
        RefuseInput,
        "Đề xuất từ chối (cán bộ), chờ lãnh đạo đơn vị duyệt",
    ),
    "decide_refusal": (
        DecideRefusalInput,
        "Lãnh đạo duyệt hoặc trả lại đề xuất từ chối",
    ),
    "assign": (AssignInput, "Phân công cán bộ xử lý"),
    "start_processing": (VersionInput, "Bắt đầu xử lý"),
    "approve": (VersionInput, "Phê duyệt kết quả (lãnh đạo)"),
    "return_result": (ReturnInput, "Trả kết quả (trực tiếp / bưu chính)"),
    "contact": (ContactInput, "Ghi nhật ký liên hệ công dân"),
    "apology": (ApologyInput, "Xin lỗi và hẹn lại ngày trả kết quả (lãnh đạo)"),
    "stop": (StopInput, "Dừng xử lý (lãnh đạo)"),
}


def _action_view(action: str) -> type[APIView]:
    input_class, summary = ACTION_INPUTS[action]

    class ActionView(APIView):
        permission_classes = [IsBackOfficeUser]

        @extend_schema(
            summary=summary,
            request=input_class,
            responses={200: StaffDossierSerializer, **ERRORS},
            operation_id=f"staff_dossier_{action}",
        )
        def post(self, request, code: str):
            dossier = selectors.get_dossier_for_staff(user=request.user, code=code)
            payload = input_class(data=request.data)
            payload.is_valid(raise_exception=True)
            _run(action, dossier, request.user, dict(payload.validated_data))
            fresh = selectors.get_dossier_for_staff(user=request.user, code=code)
            return Response(StaffDossierSerializer(fresh, context={"request": request}).data)

    ActionView.__name__ = f"Staff{action.title().replace('_', '')}View"
    return ActionView


ACTION_VIEWS = {action: _action_view(action) for action in ACTION_INPUTS}


class RefusalReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefusalReason
        fields = ["code", "title", "legal_provision", "field", "procedure_codes"]


class RefusalReasonListView(ListAPIView):
    permission_classes = [IsBackOfficeUser]
    serializer_class = RefusalReasonSerializer
    pagination_class = None

    @extend_schema(
        summary="Danh mục lý do từ chối (mỗi lý do gắn căn cứ pháp lý)",
        parameters=[
            OpenApiParameter(
                "procedure",
                str,
                description="Mã thủ tục: chỉ các lý do áp dụng cho thủ tục này.",
            ),
            OpenApiParameter(
                "dossier", str, description="Mã hồ sơ: chỉ các lý do áp dụng cho hồ sơ này."
            ),
        ],
        responses={
            200: RefusalReasonSerializer(many=True),
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from portal.catalogue.models import Procedure

        params = self.request.query_params
        reasons = RefusalReason.objects.filter(is_active=True)
        procedure = None
        if params.get("dossier"):
            procedure = selectors.get_dossier_for_staff(
                user=self.request.user, code=params["dossier"][:60]
            ).procedure
        elif params.get("procedure"):
            procedure = Procedure.objects.filter(code=params["procedure"][:20]).first()
            if procedure is None:
                raise NotFound(_("Không tìm thấy thủ tục."))
        if procedure is None:
            return reasons
        return reasons.filter(pk__in=[r.pk for r in reasons if r.applies_to(procedure)])


__all__ = [
    "ACTION_VIEWS",
    "NotFound",
    "RefusalReasonListView",
    "StaffDossierDetailView",
    "StaffDossierListView",
]
