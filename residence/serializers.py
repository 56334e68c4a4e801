"""API shapes of the registry's reading side (GET /api/v1/residence/me/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class _AddressFields(serializers.Serializer):
    address = serializers.CharField(source="address.full", help_text="Địa chỉ đầy đủ")
    street = serializers.CharField(source="address.street")
    area_code = serializers.CharField(source="address.area.code", help_text="Mã xã / phường")
    area_name = serializers.CharField(source="address.area.name")


class PersonSerializer(serializers.Serializer):
    personal_id = serializers.CharField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.CharField()
    sex_label = serializers.CharField(source="get_sex_display")
    nationality = serializers.CharField()
    ethnicity = serializers.CharField()
    religion = serializers.CharField()
    hometown = serializers.CharField()


class PermanentSerializer(_AddressFields):
    since = serializers.DateField(source="registered_on", help_text="Thường trú từ ngày")
    household_number = serializers.SerializerMethodField()

    def get_household_number(self, obj) -> str:
        return obj.household.number if obj.household_id else ""


class TemporarySerializer(_AddressFields):
    registered_on = serializers.DateField()
    expires_on = serializers.DateField(help_text="Thời hạn tạm trú đến ngày")
    extensions = serializers.IntegerField()
    is_valid = serializers.SerializerMethodField(help_text="Còn hạn hôm nay")

    def get_is_valid(self, obj) -> bool:
        return bool(self.context.get("temporary_valid"))


class CurrentAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["temporary", "permanent"], help_text="Tạm trú còn hạn, nếu không thì thường trú"
    )


class MemberSerializer(serializers.Serializer):
    personal_id = serializers.CharField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    relation = serializers.CharField()
    relation_label = serializers.CharField(help_text="Quan hệ với chủ hộ")
    is_you = serializers.BooleanField()


class HouseholdSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Số hộ")
    address = serializers.CharField()
    head_name = serializers.CharField(help_text="Họ tên chủ hộ")
    your_relation = serializers.CharField()
    your_relation_label = serializers.CharField()
    members = MemberSerializer(many=True)


class StaySerializer(serializers.Serializer):
    address = serializers.CharField(source="address.full")
    host_name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AbsenceSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    destination = serializers.CharField()
    reason = serializers.CharField()


class ResidenceRecordSerializer(serializers.Serializer):
    person = PersonSerializer(allow_null=True)
    message = serializers.CharField(
        help_text="Lời nhắn khi chưa có thông tin trong CSDL cư trú (rỗng nếu có)"
    )
    permanent = PermanentSerializer(allow_null=True)
    temporary = serializers.SerializerMethodField()
    current_address = serializers.SerializerMethodField()
    household = HouseholdSerializer(allow_null=True)
    stays = StaySerializer(many=True)
    absences = AbsenceSerializer(many=True)

    @extend_schema_field(TemporarySerializer(allow_null=True))
    def get_temporary(self, record):
        if record.temporary is None:
            return None
        return TemporarySerializer(
            record.temporary, context={"temporary_valid": record.temporary_valid}
        ).data

    @extend_schema_field(CurrentAddressSerializer(allow_null=True))
    def get_current_address(self, record):
        if not record.current_address:
            return None
        return {"address": record.current_address, "kind": record.current_address_kind}
