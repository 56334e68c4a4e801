"""API representations of dossiers (read) and request bodies (write)."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.catalogue.models import ResultMethod
from portal.core.api import VietnameseInputSerializer
from portal.dossiers.models import Attachment, Document, Dossier, State

# A form (tờ khai) is a few short fields; a draft saved as typed is not checked by the plugin, so
# its size is limited here (JSON text of the whole form).
FORM_DATA_MAX_CHARS = 20_000


def _limit_form_data(value):
    if value is not None and len(json.dumps(value, ensure_ascii=False)) > FORM_DATA_MAX_CHARS:
        raise serializers.ValidationError(
            _("Tờ khai quá dài (tối đa %(limit)s ký tự).") % {"limit": FORM_DATA_MAX_CHARS}
        )
    return value


class DossierCreateSerializer(VietnameseInputSerializer):
    procedure = serializers.CharField(max_length=40, help_text="Mã thủ tục, ví dụ 1.003677")
    area = serializers.CharField(max_length=20, help_text="Mã xã / phường nơi thực hiện thủ tục")
    form_data = serializers.DictField(required=False, default=dict)
    result_method = serializers.ChoiceField(choices=ResultMethod.choices, required=False)
    result_address = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate_form_data(self, value):
        return _limit_form_data(value)


class DossierUpdateSerializer(VietnameseInputSerializer):
    form_data = serializers.DictField(required=False)
    result_method = serializers.ChoiceField(choices=ResultMethod.choices, required=False)
    result_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    version = serializers.IntegerField(required=False, help_text="Phiên bản đang xem (tùy chọn).")
    save_incomplete = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Lưu nháp: lưu tờ khai đúng như đã nhập, chưa kiểm tra (kiểm tra khi nộp).",
    )

    def validate_form_data(self, value):
        return _limit_form_data(value)


class VersionSerializer(VietnameseInputSerializer):
    version = serializers.IntegerField(required=False)


class WithdrawSerializer(VersionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class AttachmentUploadSerializer(VietnameseInputSerializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service gives the specific "empty file" message
        error_messages={"required": _("Vui lòng chọn tệp để tải lên.")},
    )
    requirement_key = serializers.CharField(required=False, allow_blank=True, max_length=60)


class LookupSerializer(VietnameseInputSerializer):
    code = serializers.CharField(max_length=40)
    personal_id = serializers.CharField(max_length=20)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "requirement_key",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "supplement_request",
            "verified",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "kind", "kind_label", "status", "created_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return f"/api/v1/dossiers/{obj.dossier.code}/documents/{obj.pk}/"


class DossierListSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name_vi")
    unit_name = serializers.CharField(source="unit.name")
    state_label = serializers.CharField(source="get_state_display")
    national_status_code = serializers.IntegerField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    clock_paused = serializers.SerializerMethodField(
        help_text="Thời hạn giải quyết đang tạm dừng (chờ công dân bổ sung): `due_at` chưa "
        "có hiệu lực; giấy tờ cần bổ sung ở `supplement_request`."
    )

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure_code",
            "procedure_name",
            "unit_name",
            "state",
            "state_label",
            "national_status_code",
            "created_at",
            "submitted_at",
            "received_at",
            "due_at",
            "clock_paused",
            "is_overdue",
            "version",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_clock_paused(self, obj) -> bool:
        return obj.state == State.SUPPLEMENT_REQUESTED


class DossierLinksSerializer(serializers.Serializer):
    self = serializers.CharField(help_text="Chi tiết hồ sơ (GET).")
    submit = serializers.CharField()
    attachments = serializers.CharField()


class DossierCompactSerializer(serializers.Serializer):
    """What a write answers by default: enough to go on (state, version for the next write)
    without the cost of the full detail (history, attachments, documents, allowed actions)."""

    code = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    national_status_code = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field(DossierLinksSerializer)
    def get_links(self, obj) -> dict:
        base = f"/api/v1/dossiers/{obj.code}/"
        return {"self": base, "submit": base + "submit/", "attachments": base + "attachments/"}


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor_label = serializers.CharField()
    reason = serializers.CharField()
    details = serializers.DictField()


class SupplementItemSerializer(serializers.Serializer):
    document = serializers.CharField()
    copy_kind = serializers.CharField(allow_blank=True)
    problem = serializers.CharField()


class SupplementRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    items = SupplementItemSerializer(many=True)
    guidance = serializers.CharField()


class DossierDetailSerializer(DossierListSerializer):
    procedure_level = serializers.IntegerField(source="procedure.level")
    area_code = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    documents = DocumentSerializer(many=True)
    history = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    supplement_request = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = DossierListSerializer.Meta.fields + [
            "procedure_level",
            "area_code",
            "form_data",
            "applicant_name",
            "applicant_personal_id",
            "result_method",
            "result_address",
            "fee_amount",
            "fee_paid_online",
            "postal_fee",
            "paid_at",
            "accepted_at",
            "paused_at",
            "decided_at",
            "returned_at",
            "attachments",
            "documents",
            "history",
            "allowed_actions",
            "supplement_request",
            "missing_documents",
        ]

    def get_area_code(self, obj) -> str | None:
        return obj.area.code if obj.area_id else None

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_history(self, obj):
        from portal.dossiers.selectors import timeline

        user = self.context["request"].user
        for_citizen = obj.citizen_id == user.pk
        return TimelineEntrySerializer(
            timeline(dossier=obj, for_citizen=for_citizen), many=True
        ).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj):
        from portal.dossiers.services import allowed_actions

        return allowed_actions(dossier=obj, user=self.context["request"].user)

    @extend_schema_field(SupplementRequestSerializer(allow_null=True))
    def get_supplement_request(self, obj):
        from portal.dossiers.selectors import open_supplement_request

        request = open_supplement_request(dossier=obj)
        if request is None:
            return None
        return {
            "id": request.pk,
            "requested_at": request.requested_at,
            "items": request.items,
            "guidance": request.guidance,
        }

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_missing_documents(self, obj):
        from portal.dossiers.services import missing_documents

        if obj.state != "draft":
            return []
        return [{"key": d.key, "name": d.name} for d in missing_documents(dossier=obj)]


class LookupResultSerializer(serializers.Serializer):
    """Public lookup: state and dates only (nothing about the person or the request)."""

    code = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    national_status_code = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)


# --- the detail, written out (issue 13) ------------------------------------------------------
# DossierDetailSerializer builds its ~40 fields on every instantiation and walks them generically:
# most of a detail request. `detail_representation` produces the same `.data`, key for key and in
# the same order (tests/dossiers/test_detail_representation.py compares both on dossiers in every
# state, for citizens and staff, in both languages). The serializer stays the schema (OpenAPI)
# and the reference: a field added there must be added here (the test fails until it is).

_DATETIME = serializers.DateTimeField()  # DRF's format and time zone, shared (no state)


def _datetime_format():
    """DateTimeField.to_representation for this request: the current time zone, ISO 8601 with
    "Z" for UTC; DRF's own field when the settings ask for anything else."""
    from django.conf import settings
    from django.utils import timezone
    from rest_framework.settings import api_settings

    if not settings.USE_TZ or str(api_settings.DATETIME_FORMAT).lower() != "iso-8601":
        return lambda value: _DATETIME.to_representation(value) if value else None
    zone = timezone.get_current_timezone()

    def fmt(value):
        if not value:
            return None
        if value.tzinfo is None:
            return _DATETIME.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return fmt


def _attachment(a: Attachment, dt) -> dict:
    return {
        "id": a.pk,
        "requirement_key": a.requirement_key,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": dt(a.uploaded_at),
        "supplement_request": a.supplement_request_id,
        "verified": bool(a.verified),
    }


def _document(d: Document, code: str, dt) -> dict:
    return {
        "id": d.pk,
        "kind": str(d.kind),
        "kind_label": str(d.get_kind_display()),
        "status": str(d.status),
        "created_at": dt(d.created_at),
        "download_url": f"/api/v1/dossiers/{code}/documents/{d.pk}/",
    }


def _history_entry(e, dt) -> dict:
    return {
        "at": dt(e.at),
        "action": str(e.action),
        "label": str(e.label),
        "from_state": str(e.from_state),
        "to_state": str(e.to_state),
        "to_state_label": str(e.to_state_label),
        "actor_label": str(e.actor_label),
        "reason": str(e.reason),
        "details": {str(k): v for k, v in e.details.items()},
    }


def detail_representation(dossier: Dossier, *, request) -> dict:
    """What `DossierDetailSerializer(dossier, context={"request": request}).data` gives."""
    from portal.dossiers.selectors import timeline

    serializer = DossierDetailSerializer(context={"request": request})  # fields never built
    user = request.user
    procedure = dossier.procedure
    code = dossier.code
    national = dossier.national_status_code
    dt = _datetime_format()
    return {
        "code": str(code),
        "procedure_code": str(procedure.code),
        "procedure_name": str(procedure.name_vi),
        "unit_name": str(dossier.unit.name),
        "state": str(dossier.state),
        "state_label": str(dossier.get_state_display()),
        "national_status_code": None if national is None else int(national),
        "created_at": dt(dossier.created_at),
        "submitted_at": dt(dossier.submitted_at),
        "received_at": dt(dossier.received_at),
        "due_at": dt(dossier.due_at),
        "clock_paused": serializer.get_clock_paused(dossier),
        "is_overdue": serializer.get_is_overdue(dossier),
        "version": int(dossier.version),
        "procedure_level": int(procedure.level),
        "area_code": serializer.get_area_code(dossier),
        "form_data": dossier.form_data,
        "applicant_name": str(dossier.applicant_name),
        "applicant_personal_id": str(dossier.applicant_personal_id),
        "result_method": str(dossier.result_method),
        "result_address": str(dossier.result_address),
        "fee_amount": int(dossier.fee_amount),
        "fee_paid_online": bool(dossier.fee_paid_online),
        "postal_fee": int(dossier.postal_fee),
        "paid_at": dt(dossier.paid_at),
        "accepted_at": dt(dossier.accepted_at),
        "paused_at": dt(dossier.paused_at),
        "decided_at": dt(dossier.decided_at),
        "returned_at": dt(dossier.returned_at),
        "attachments": [_attachment(a, dt) for a in dossier.attachments.all()],
        "documents": [_document(d, code, dt) for d in dossier.documents.all()],
        "history": [
            _history_entry(e, dt)
            for e in timeline(dossier=dossier, for_citizen=dossier.citizen_id == user.pk)
        ],
        "allowed_actions": serializer.get_allowed_actions(dossier),
        "supplement_request": serializer.get_supplement_request(dossier),
        "missing_documents": serializer.get_missing_documents(dossier),
    }
