"""Read-only catalogue API: GET /api/v1/procedures/ and /api/v1/procedures/{code}/."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from . import presentation
from .models import (
    Field,
    FormTemplate,
    LegalBasis,
    Procedure,
    ProcedureFee,
    RequiredDocument,
    ServiceLevel,
)
from .selectors import get_published_procedure, published_procedures


class LegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["number", "issued_on", "title"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureFee
        fields = ["channel", "amount", "valid_from", "valid_to", "legal_basis", "note"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["key", "name", "is_mandatory", "copy_kind", "quantity", "note"]


class FormSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = FormTemplate
        fields = ["code", "name", "legal_source", "pdf_url"]

    def get_pdf_url(self, form: FormTemplate) -> str:
        path = f"/thu-tuc/{self.context['procedure'].code}/mau/{form.code}.pdf"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CurrentFeesSerializer(serializers.Serializer):
    in_person = serializers.IntegerField(
        allow_null=True, help_text="Lệ phí nộp trực tiếp hôm nay (đồng)."
    )
    online = serializers.IntegerField(
        allow_null=True, help_text="Lệ phí nộp trực tuyến hôm nay (đồng)."
    )


class ProcedureListSerializer(serializers.ModelSerializer):
    decree_42_name = serializers.CharField(read_only=True)
    deadline_text = serializers.SerializerMethodField()
    current_fees = serializers.SerializerMethodField()
    level = serializers.ChoiceField(
        source="effective_level",
        choices=ServiceLevel.choices,
        read_only=True,
        help_text="Mức độ thực tế trên Cổng: thủ tục chưa có phần nộp trực tuyến hiển thị mức 2 "
        "(thông tin và biểu mẫu).",
    )
    online_submission_allowed = serializers.BooleanField(
        source="allows_online_submission",
        read_only=True,
        help_text="Nộp hồ sơ trực tuyến được (chỉ khi phần trực tuyến của thủ tục đã được xây dựng).",
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name_vi",
            "name_en",
            "field",
            "level",
            "decree_42_name",
            "deadline_kind",
            "deadline_days",
            "deadline_days_max",
            "deadline_text",
            "current_fees",
            "online_submission_allowed",
            "url",
        ]

    def get_deadline_text(self, p: Procedure) -> str:
        return presentation.deadline_text(p)

    @extend_schema_field(CurrentFeesSerializer)
    def get_current_fees(self, p: Procedure) -> dict:
        today = timezone.localdate()
        result = {}
        for channel in ProcedureFee.Channel.values:
            fee = p.fee_on(today, channel)
            result[channel] = fee.amount if fee else 0
        return result

    def get_url(self, p: Procedure) -> str:
        path = f"/thu-tuc/{p.code}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ProcedureDetailSerializer(ProcedureListSerializer):
    legal_bases = LegalBasisSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    forms = serializers.SerializerMethodField()
    result_methods = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "summary",
            "applicants",
            "conditions",
            "deadline_note",
            "reception_mode",
            "exemptions",
            "handling_level",
            "result_methods",
            "result_document",
            "legal_bases",
            "fees",
            "required_documents",
            "forms",
            "source",
        ]

    @extend_schema_field(FormSerializer(many=True))
    def get_forms(self, p: Procedure) -> list:
        if p.level < ServiceLevel.FORMS:
            return []
        return FormSerializer(
            p.forms.all(), many=True, context={**self.context, "procedure": p}
        ).data


_ERROR = inline_serializer(
    "CatalogueError", fields={"code": serializers.CharField(), "message": serializers.CharField()}
)


@extend_schema(
    tags=["catalogue"],
    summary="Danh mục thủ tục hành chính",
    parameters=[
        OpenApiParameter(
            "q", OpenApiTypes.STR, description="Từ khóa, không phân biệt dấu (vd. dang ky tam tru)."
        ),
        OpenApiParameter("field", OpenApiTypes.STR, enum=Field.values, description="Lĩnh vực."),
        OpenApiParameter(
            "level", OpenApiTypes.INT, enum=ServiceLevel.values, description="Mức độ 1–4."
        ),
    ],
)
class ProcedureListView(generics.ListAPIView):
    serializer_class = ProcedureListSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_queryset(self):
        params = self.request.query_params
        field = params.get("field", "")
        return published_procedures(
            q=params.get("q", "")[:200],
            field=field if field in Field.values else ("__none__" if field else ""),
            level=params.get("level") or None,
        )


@extend_schema(
    tags=["catalogue"],
    summary="Chi tiết thủ tục hành chính",
    responses={200: ProcedureDetailSerializer, 404: _ERROR},
)
class ProcedureDetailView(generics.RetrieveAPIView):
    serializer_class = ProcedureDetailSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    lookup_field = "code"

    def get_object(self):
        return get_published_procedure(code=self.kwargs["code"])
