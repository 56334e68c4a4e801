"""GET /api/v1/procedures/{code}/form/: a procedure's form as data (see formschema.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.catalogue.selectors import get_published_procedure
from portal.core.api import ApiErrorSerializer
from portal.dossiers import formschema, services


class FormChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class FormItemFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Tên trường, dùng làm khóa trong `form_data`.")
    type = serializers.ChoiceField(
        choices=formschema.FIELD_TYPES,
        help_text="Kiểu dữ liệu: date = YYYY-MM-DD, datetime = YYYY-MM-DDTHH:MM (giờ Việt Nam), "
        "list = mảng JSON các đối tượng theo `item_fields`.",
    )
    label = serializers.CharField()
    required = serializers.BooleanField()
    choices = FormChoiceSerializer(many=True, allow_null=True)
    help_text = serializers.CharField(allow_blank=True)
    max_length = serializers.IntegerField(allow_null=True)


class FormFieldSerializer(FormItemFieldSerializer):
    item_label = serializers.CharField(
        required=False, allow_blank=True, help_text="Chỉ với type=list: tên một dòng, vd. Khách."
    )
    item_fields = FormItemFieldSerializer(
        many=True, required=False, help_text="Chỉ với type=list: các trường của mỗi dòng."
    )
    min_items = serializers.IntegerField(required=False, help_text="Chỉ với type=list.")
    max_items = serializers.IntegerField(required=False, help_text="Chỉ với type=list.")


class FormDocumentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`requirement_key` khi tải tệp lên.")
    name = serializers.CharField()
    mandatory = serializers.BooleanField()
    copy_kind = serializers.CharField(help_text="original, copy, certified_copy, original_or_copy")
    copy_kind_label = serializers.CharField()
    quantity = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)


class ProcedureFormSerializer(serializers.Serializer):
    procedure = serializers.CharField()
    documents = FormDocumentSerializer(many=True)
    initial = serializers.DictField(
        help_text="Giá trị điền sẵn từ dữ liệu đã có của công dân đăng nhập; {} nếu chưa đăng "
        "nhập hoặc là cán bộ."
    )


# A field named "fields" cannot be a class attribute (it is the serializer's own `fields`).
ProcedureFormSerializer._declared_fields = {
    "procedure": ProcedureFormSerializer._declared_fields["procedure"],
    "fields": FormFieldSerializer(many=True, help_text="Các trường của tờ khai, theo thứ tự."),
    "documents": ProcedureFormSerializer._declared_fields["documents"],
    "initial": ProcedureFormSerializer._declared_fields["initial"],
}


class ProcedureFormView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["catalogue"],
        summary="Tờ khai của thủ tục (dạng dữ liệu)",
        description=(
            "Các trường của tờ khai theo thứ tự, giấy tờ kèm theo và giá trị điền sẵn cho công "
            "dân đã đăng nhập. Trang nộp hồ sơ dùng cùng định nghĩa. 409 procedure_not_online: "
            "thủ tục chưa nộp trực tuyến được (kèm nơi nộp trực tiếp)."
        ),
        responses={
            200: ProcedureFormSerializer,
            401: OpenApiResponse(ApiErrorSerializer, description="Mã xác thực không hợp lệ"),
            404: OpenApiResponse(ApiErrorSerializer, description="Không tìm thấy thủ tục"),
            409: OpenApiResponse(ApiErrorSerializer, description="Thủ tục chưa nộp trực tuyến"),
        },
    )
    def get(self, request, code: str):
        procedure = get_published_procedure(code=code)
        plugin = services.get_plugin(procedure)  # 409 procedure_not_online without a plugin
        return Response(formschema.describe(procedure=procedure, plugin=plugin, user=request.user))
