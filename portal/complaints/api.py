"""Complaint API.

POST /api/v1/complaints/phone-code/          send an SMS code (complaints without an account)
POST /api/v1/complaints/                     file a complaint (a citizen, or phone + code)
GET  /api/v1/complaints/                     the caller's own (citizen) or the unit's/subtree's
GET  /api/v1/complaints/{id}/                one complaint with its timeline
POST /api/v1/complaints/{id}/confirm|reopen/ the citizen's answer to the resolution
POST /api/v1/staff/complaints/{id}/<action>/ direct, contact, resolve, close, escalate,
                                             reopen-dossier (staff, second factor as for dossiers)
POST /api/v1/dossiers/{code}/rating/         rate the service once the result was returned
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import otp
from notifications.masking import normalise_phone
from portal.backoffice.api import IsBackOfficeUser
from portal.core.api import ApiErrorSerializer, VietnameseInputSerializer
from portal.core.errors import DomainError, NotFound, PermissionDenied
from portal.core.pagination import PageNumberPagination
from portal.dossiers import selectors as dossier_selectors
from portal.dossiers.models import State
from portal.units.models import PoliceUnit

from . import selectors, services
from .models import Category, Complaint, ComplaintState, PhoneActor, SatisfactionRating

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Dữ liệu không hợp lệ / chưa cụ thể"),
    401: OpenApiResponse(ApiErrorSerializer, description="Chưa đăng nhập"),
    403: OpenApiResponse(ApiErrorSerializer, description="Không có quyền"),
    404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy (hoặc của đơn vị khác)"),
    409: OpenApiResponse(ApiErrorSerializer, description="Trạng thái không cho phép"),
    429: OpenApiResponse(ApiErrorSerializer, description="Quá nhiều yêu cầu, thử lại sau"),
}


def _errors(*codes):
    return {c: ERRORS[c] for c in codes}


def _ip(request) -> str:
    from portal.core.ratelimit import client_ip

    return client_ip(request)


def purpose_for(phone: str) -> str:
    return f"complaint:{phone}"


# ----------------------------------------------------------------------------------------------
# Output


class ComplaintUnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoliceUnit
        fields = ["code", "name"]


class ComplaintSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    category_label = serializers.CharField(source="get_category_display")
    state_label = serializers.CharField(source="get_state_display")
    unit = ComplaintUnitRefSerializer()
    handling_unit = ComplaintUnitRefSerializer()
    dossier_code = serializers.CharField(source="dossier.code", default=None)
    overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "code",
            "category",
            "category_label",
            "state",
            "state_label",
            "is_repeat",
            "unit",
            "handling_unit",
            "dossier_code",
            "created_at",
            "step_due_at",
            "overdue",
            "resolved_at",
            "closed_at",
            "version",
            "allowed_actions",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [
            a.replace("_", "-") for a in services.allowed_actions(complaint=obj, user=request.user)
        ]


class ComplaintTimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor_label = serializers.CharField()
    reason = serializers.CharField()
    step_due_at = serializers.DateTimeField(allow_null=True)


class ComplaintDetailSerializer(ComplaintSerializer):
    description = serializers.CharField()
    instruction = serializers.CharField()
    resolution = serializers.CharField()
    corrective_action = serializers.CharField()
    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "description",
            "instruction",
            "resolution",
            "corrective_action",
            "attachments",
            "timeline",
        ]

    def get_attachments(self, obj) -> list[str]:
        return [a.original_name for a in obj.attachments.all()]

    def get_timeline(self, obj) -> list[dict]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for_citizen = not (
            getattr(user, "is_officer", False) or getattr(user, "is_superuser", False)
        )
        return ComplaintTimelineEntrySerializer(
            selectors.timeline(complaint=obj, for_citizen=for_citizen), many=True
        ).data


class RatingSerializer(serializers.ModelSerializer):
    dossier_code = serializers.CharField(source="dossier.code")

    class Meta:
        model = SatisfactionRating
        fields = ["dossier_code", "score", "comment", "created_at"]


# ----------------------------------------------------------------------------------------------
# Input


class ComplaintPhoneCodeInput(VietnameseInputSerializer):
    phone = serializers.CharField(max_length=20)


class ComplaintPhoneCodeSent(serializers.Serializer):
    phone = serializers.CharField(help_text="Số điện thoại đã chuẩn hóa (E.164).")
    message = serializers.CharField()


class ComplaintCreateInput(VietnameseInputSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(max_length=5000)
    dossier_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Mã hồ sơ bị phản ánh."
    )
    personal_id = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="Không có tài khoản: số định danh của người nộp hồ sơ (cùng mã hồ sơ).",
    )
    unit_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Mã đơn vị bị phản ánh."
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Không có tài khoản."
    )
    code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="Mã xác thực SMS gửi tới số điện thoại (không có tài khoản).",
    )
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True, max_length=10
    )


class ComplaintVersionInput(VietnameseInputSerializer):
    expected_version = serializers.IntegerField(required=False, allow_null=True)


class ComplaintDirectInput(ComplaintVersionInput):
    instruction = serializers.CharField(allow_blank=True)
    response_hours = serializers.IntegerField(
        required=False, allow_null=True, help_text="Hạn phản hồi, giờ làm việc (mặc định 8)."
    )


class ComplaintContactInput(ComplaintVersionInput):
    contacted_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=list(services.CONTACT_CHANNELS.items()))
    summary = serializers.CharField(allow_blank=True)


class ComplaintResolveInput(ComplaintVersionInput):
    resolution = serializers.CharField(allow_blank=True)
    corrective_action = serializers.CharField(allow_blank=True)


class ComplaintNoteInput(ComplaintVersionInput):
    note = serializers.CharField(allow_blank=True)


class ComplaintReasonInput(ComplaintVersionInput):
    reason = serializers.CharField(allow_blank=True)


class ComplaintReopenDossierInput(ComplaintReasonInput):
    target = serializers.ChoiceField(
        choices=[(State.RECEIVED, "received"), (State.PROCESSING, "processing")],
        default=State.RECEIVED,
    )


class ComplaintConfirmInput(ComplaintVersionInput):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SatisfactionRatingInput(VietnameseInputSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# ----------------------------------------------------------------------------------------------
# Views


def _staff_gate(request, view) -> None:
    """Staff reading complaints need the same verified second factor as for dossiers."""
    user = request.user
    staff = getattr(user, "is_officer", False) or getattr(user, "is_superuser", False)
    if staff and not IsBackOfficeUser().has_permission(request, view):
        raise PermissionDenied(IsBackOfficeUser.message)


class PhoneCodeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Gửi mã xác thực SMS để phản ánh khi không có tài khoản",
        request=ComplaintPhoneCodeInput,
        responses={202: ComplaintPhoneCodeSent, **_errors(400, 429)},
        tags=["complaints"],
    )
    def post(self, request):
        payload = ComplaintPhoneCodeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        number = normalise_phone(payload.validated_data["phone"])
        if not number:
            raise DomainError(_("Số điện thoại không hợp lệ."), code="invalid_phone")
        otp.issue_code(phone=number, purpose=purpose_for(number), ip=_ip(request))
        return Response(
            {"phone": number, "message": _("Đã gửi mã xác thực tới số điện thoại.")},
            status=status.HTTP_202_ACCEPTED,
        )


def verify_phone_code(*, phone: str, code: str, ip: str) -> tuple[str, int]:
    """Check the SMS code for a complaint without an account: (number, code id) or an error."""
    number = normalise_phone(phone or "")
    if not number:
        raise DomainError(
            _("Vui lòng nhập số điện thoại hợp lệ và mã xác thực."),
            code="phone_verification_required",
            details={"phone": [_("Bắt buộc khi không đăng nhập.")]},
        )
    otp.count_check(account=purpose_for(number), ip=ip)
    result = otp.check_code(phone=number, purpose=purpose_for(number), code=code or "")
    if result.status is otp.Check.DEAD:
        raise otp.CodeExhausted(
            _("Bạn đã nhập sai mã quá nhiều lần. Vui lòng yêu cầu mã mới."),
        )
    if not result.ok:
        raise otp.InvalidCode(_("Mã xác thực không đúng hoặc đã hết hạn."))
    return number, result.code_id


class ComplaintListCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = PageNumberPagination  # also tells the schema the list is paginated

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Phản ánh: của tôi (công dân) hoặc của đơn vị / cấp dưới (cán bộ)",
        parameters=[
            OpenApiParameter(
                "state", str, description="Trạng thái: " + ", ".join(ComplaintState.values)
            ),
            OpenApiParameter("repeat", bool, description="Chỉ phản ánh lặp lại."),
        ],
        responses={200: ComplaintSerializer(many=True), **_errors(401, 403)},
        tags=["complaints"],
    )
    def get(self, request):
        _staff_gate(request, self)
        params = request.query_params
        repeat = params.get("repeat")
        qs = selectors.complaint_list(
            user=request.user,
            state=params.get("state") or None,
            repeat={"true": True, "1": True, "false": False, "0": False}.get(repeat or ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = ComplaintSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Gửi phản ánh, kiến nghị (đăng nhập, hoặc số điện thoại + mã SMS)",
        request={
            "multipart/form-data": ComplaintCreateInput,
            "application/json": ComplaintCreateInput,
        },
        responses={201: ComplaintDetailSerializer, **_errors(400, 403, 404, 429)},
        tags=["complaints"],
    )
    def post(self, request):
        payload = ComplaintCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        user = request.user
        authenticated = getattr(user, "is_authenticated", False)
        dossier = None
        dossier_code = (data.get("dossier_code") or "").strip()
        if authenticated:
            if not getattr(user, "is_citizen", False):
                raise PermissionDenied(_("Tài khoản cán bộ không gửi phản ánh thay công dân."))
            if dossier_code:
                dossier = dossier_selectors.get_dossier_for_user(user=user, code=dossier_code)
        elif dossier_code:
            dossier = dossier_selectors.lookup_public(
                code=dossier_code, personal_id=data.get("personal_id", "")
            )
            if dossier is None:
                raise NotFound(_("Không tìm thấy hồ sơ."), code="not_found")
        unit = None
        if dossier is None:
            unit = PoliceUnit.objects.filter(
                code=(data.get("unit_code") or "").strip(), is_active=True
            ).first()
        common = {
            "category": data["category"],
            "description": data["description"],
            "unit": unit,
            "dossier": dossier,
            "files": files,
            "name": data.get("name", ""),
            "email": data.get("email", ""),
        }
        if authenticated:
            complaint = services.file_complaint(actor=user, **common)
            verified_phone = ""
        else:
            number, code_id = verify_phone_code(
                phone=data.get("phone", ""), code=data.get("code", ""), ip=_ip(request)
            )
            with transaction.atomic():
                if not otp.use_code(code_id=code_id):
                    raise otp.InvalidCode(_("Mã xác thực không đúng hoặc đã hết hạn."))
                complaint = services.file_complaint(actor=PhoneActor(number), **common)
            verified_phone = number
        fresh = selectors.get_complaint_for_user(
            user=user, pk=complaint.pk, verified_phone=verified_phone
        )
        return Response(
            ComplaintDetailSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ComplaintDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Chi tiết phản ánh và quá trình giải quyết",
        responses={200: ComplaintDetailSerializer, **_errors(401, 403, 404)},
        tags=["complaints"],
    )
    def get(self, request, pk: int):
        _staff_gate(request, self)
        complaint = selectors.get_complaint_for_user(user=request.user, pk=pk)
        return Response(ComplaintDetailSerializer(complaint, context={"request": request}).data)


CITIZEN_INPUTS = {
    "confirm": (ComplaintConfirmInput, "Công dân xác nhận phản ánh đã được giải quyết"),
    "reopen": (ComplaintReasonInput, "Công dân mở lại phản ánh (nêu lý do)"),
}
STAFF_INPUTS = {
    "direct": (
        ComplaintDirectInput,
        "Cấp trên chỉ đạo đơn vị liên hệ, giải quyết (có hạn phản hồi)",
    ),
    "contact": (ComplaintContactInput, "Đơn vị ghi nhận đã liên hệ công dân"),
    "resolve": (
        ComplaintResolveInput,
        "Đơn vị (lãnh đạo) ghi kết quả giải quyết và biện pháp khắc phục",
    ),
    "close": (ComplaintNoteInput, "Cấp trên xác nhận kết thúc"),
    "escalate": (ComplaintReasonInput, "Chuyển phản ánh lên cấp trên"),
    "reopen-dossier": (
        ComplaintReopenDossierInput,
        "Cấp trên mở lại hồ sơ bị từ chối / dừng xử lý (thời hạn tính lại từ đầu)",
    ),
}


def _perform(action: str, complaint: Complaint, user, data: dict) -> None:
    version = data.pop("expected_version", None)
    fn = {
        "confirm": services.confirm,
        "reopen": services.reopen,
        "direct": services.direct,
        "contact": services.contact,
        "resolve": services.resolve,
        "close": services.close,
        "escalate": services.escalate,
        "reopen-dossier": services.reopen_dossier,
    }[action]
    fn(complaint=complaint, actor=user, expected_version=version, **data)


def _action_view(action: str, *, staff: bool) -> type[APIView]:
    input_class, summary = (STAFF_INPUTS if staff else CITIZEN_INPUTS)[action]
    slug = action.replace("-", "_")

    class ActionView(APIView):
        permission_classes = [IsBackOfficeUser] if staff else [IsAuthenticated]

        @extend_schema(
            summary=summary,
            request=input_class,
            responses={200: ComplaintDetailSerializer, **_errors(400, 401, 403, 404, 409)},
            operation_id=f"{'staff_' if staff else ''}complaint_{slug}",
            tags=["complaints"],
        )
        def post(self, request, pk: int):
            complaint = selectors.get_complaint_for_user(user=request.user, pk=pk)
            payload = input_class(data=request.data)
            payload.is_valid(raise_exception=True)
            _perform(action, complaint, request.user, dict(payload.validated_data))
            fresh = selectors.get_complaint_for_user(user=request.user, pk=pk)
            return Response(ComplaintDetailSerializer(fresh, context={"request": request}).data)

    ActionView.__name__ = f"{'Staff' if staff else ''}Complaint{slug.title().replace('_', '')}View"
    return ActionView


CITIZEN_VIEWS = {action: _action_view(action, staff=False) for action in CITIZEN_INPUTS}
STAFF_VIEWS = {action: _action_view(action, staff=True) for action in STAFF_INPUTS}


class RatingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Đánh giá mức độ hài lòng (một lần, sau khi nhận kết quả)",
        request=SatisfactionRatingInput,
        responses={201: RatingSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["dossiers"],
    )
    def post(self, request, code: str):
        dossier = dossier_selectors.get_dossier_for_user(user=request.user, code=code)
        payload = SatisfactionRatingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        rating = services.rate_dossier(
            dossier=dossier, actor=request.user, **payload.validated_data
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
