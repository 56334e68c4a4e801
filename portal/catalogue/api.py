"""Read-only catalogue API: GET /api/v1/procedures/ and /api/v1/procedures/{code}/."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import parse_etags
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from . import cache as catalogue_cache
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


def _plain_json_request(request) -> bool:
    """True when DRF would answer with its plain JSON renderer: no ?q= search, no ?format=, and an
    Accept header (if any) that names JSON or anything, no HTML and no media type parameters
    other than q (e.g. `indent`)."""
    if "q" in request.GET or "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept:
        return True
    found = False
    for part in accept.split(","):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        if media.startswith("text/"):
            return False
        if media in ("application/json", "application/*", "*/*"):
            if any(p.partition("=")[0].strip().lower() != "q" for p in params.split(";") if p):
                return False
            found = True
    return found


def _bytes_response(request, answer: catalogue_cache.Rendered) -> HttpResponse:
    """The stored bytes with the headers DRF gives this view's answer, plus an ETag."""
    if answer.etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(answer.body, content_type="application/json")
    response["ETag"] = answer.etag
    response["Allow"] = "GET, HEAD, OPTIONS"
    response["Vary"] = "Accept"
    return response


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

    def dispatch(self, request, *args, **kwargs):
        """The same answer for everyone until staff edit the catalogue: kept rendered (bytes) with
        the catalogue version, per address asked (absolute links), language and day (fees change
        on a date), in the shared cache and in this process. A plain JSON GET is answered from
        there without DRF (only the version is read from the shared cache; HEAD alike, the server
        drops the body); an unchanged answer the client already has (If-None-Match) is a 304.
        Free-text searches, other formats and a cache that does not answer go through DRF and are
        computed each time."""
        if request.method not in ("GET", "HEAD") or not _plain_json_request(request):
            return super().dispatch(request, *args, **kwargs)
        version = catalogue_cache.current_version()
        if version is None:
            return super().dispatch(request, *args, **kwargs)
        key = catalogue_cache.cache_key(
            "list",
            request.build_absolute_uri(),
            get_language() or "",
            timezone.localdate().isoformat(),
        )
        answer = catalogue_cache.rendered(key, version)
        if answer is None:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200 or not hasattr(response, "render"):
                return response
            answer = catalogue_cache.store_rendered(key, version, response.render().content)
        return _bytes_response(request, answer)

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
