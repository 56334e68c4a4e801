"""Event names for `notifications.services.notify` and the context each event's templates may use.

A template may only use the placeholders listed for its event (checked when staff save it in the
admin); `notify()` checks that the context holds every placeholder the active template uses.
Placeholders filled in automatically: `portal_url` always, `citizen_name` from `user.full_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DOSSIER_SUBMITTED = "dossier_submitted"
DOSSIER_RECEIVED = "dossier_received"
SUPPLEMENT_REQUESTED = "supplement_requested"
DOSSIER_REFUSED = "dossier_refused"
DOSSIER_APPROVED = "dossier_approved"
RESULT_READY = "result_ready"
RESULT_RETURNED = "result_returned"
DOSSIER_DELAYED = "dossier_delayed"
DOSSIER_OVERDUE = "dossier_overdue"
OTP_CODE = "otp_code"
STAFF_DIGEST = "staff_digest"
SUPERVISOR_DIGEST = "supervisor_digest"
DOSSIER_REOPENED = "dossier_reopened"
NOTICE_RECORDED = "notice_recorded"
COMPLAINT_RECEIVED = "complaint_received"
COMPLAINT_DIRECTED = "complaint_directed"
COMPLAINT_CONTACTED = "complaint_contacted"
COMPLAINT_RESOLVED = "complaint_resolved"
COMPLAINT_CLOSED = "complaint_closed"
COMPLAINT_REOPENED = "complaint_reopened"
COMPLAINT_ESCALATED = "complaint_escalated"
TEMPORARY_RESIDENCE_EXPIRING = "temporary_residence_expiring"
RESULT_POSTED = "result_posted"
RESULT_DELIVERED = "result_delivered"
RESULT_POST_RETURNED = "result_post_returned"
CARD_EXPIRY_REMINDER = "card_expiry_reminder"

AUTOMATIC = ("portal_url", "citizen_name")


@dataclass(frozen=True)
class EventSpec:
    label: object
    placeholders: tuple[str, ...]
    sensitive: bool = False  # content redacted once delivered (one-time codes)


_DOSSIER = ("dossier_code", "procedure_name", "unit_name")
_COMPLAINT = ("complaint_code", "unit_name", "handling_unit_name")

EVENTS: dict[str, EventSpec] = {
    DOSSIER_SUBMITTED: EventSpec(_("Hồ sơ đã nộp"), _DOSSIER + ("submitted_at",)),
    DOSSIER_RECEIVED: EventSpec(_("Hồ sơ đã được tiếp nhận"), _DOSSIER + ("appointment_date",)),
    SUPPLEMENT_REQUESTED: EventSpec(
        _("Yêu cầu bổ sung hồ sơ"), _DOSSIER + ("reason", "items", "deadline")
    ),
    DOSSIER_REFUSED: EventSpec(_("Từ chối hồ sơ"), _DOSSIER + ("reason", "legal_provision")),
    DOSSIER_APPROVED: EventSpec(_("Hồ sơ đã được phê duyệt"), _DOSSIER + ("collection_method",)),
    RESULT_READY: EventSpec(_("Đã có kết quả"), _DOSSIER + ("collection_method",)),
    RESULT_RETURNED: EventSpec(_("Đã trả kết quả"), _DOSSIER + ("return_method", "result_url")),
    DOSSIER_DELAYED: EventSpec(
        _("Xin lỗi và hẹn lại ngày trả kết quả"),
        _DOSSIER + ("original_date", "new_date", "reason"),
    ),
    DOSSIER_OVERDUE: EventSpec(_("Hồ sơ quá hạn giải quyết"), _DOSSIER + ("due_at",)),
    OTP_CODE: EventSpec(_("Mã xác thực một lần"), ("code", "minutes", "purpose_label"), True),
    STAFF_DIGEST: EventSpec(
        _("Tổng hợp hồ sơ đến hạn (đơn vị)"),
        ("unit_name", "day", "due_today", "due_tomorrow", "overdue"),
    ),
    SUPERVISOR_DIGEST: EventSpec(
        _("Tổng hợp hồ sơ quá hạn (cấp trên)"), ("unit_name", "day", "overdue_count", "by_unit")
    ),
    DOSSIER_REOPENED: EventSpec(
        _("Cấp trên mở lại hồ sơ"), _DOSSIER + ("reason", "appointment_date")
    ),
    NOTICE_RECORDED: EventSpec(_("Đã ghi nhận thông báo (lưu trú)"), _DOSSIER + ("recorded_at",)),
    COMPLAINT_RECEIVED: EventSpec(_("Đã nhận phản ánh, kiến nghị"), _COMPLAINT),
    COMPLAINT_DIRECTED: EventSpec(
        _("Cấp trên đã chỉ đạo giải quyết phản ánh"), _COMPLAINT + ("response_due",)
    ),
    COMPLAINT_CONTACTED: EventSpec(_("Đơn vị đã liên hệ về phản ánh"), _COMPLAINT),
    COMPLAINT_RESOLVED: EventSpec(_("Phản ánh đã được giải quyết"), _COMPLAINT + ("resolution",)),
    COMPLAINT_CLOSED: EventSpec(_("Phản ánh đã kết thúc"), _COMPLAINT),
    COMPLAINT_REOPENED: EventSpec(_("Phản ánh được mở lại"), _COMPLAINT + ("reason",)),
    COMPLAINT_ESCALATED: EventSpec(_("Phản ánh được chuyển lên cấp trên"), _COMPLAINT),
    TEMPORARY_RESIDENCE_EXPIRING: EventSpec(
        _("Tạm trú sắp hết hạn"), ("residence_address", "expires_on", "days_left", "unit_name")
    ),
    RESULT_POSTED: EventSpec(
        _("Đã gửi kết quả qua bưu chính"), _DOSSIER + ("tracking_number", "postal_address")
    ),
    RESULT_DELIVERED: EventSpec(
        _("Bưu điện đã phát kết quả"), _DOSSIER + ("tracking_number", "delivered_at")
    ),
    RESULT_POST_RETURNED: EventSpec(
        _("Bưu điện không phát được kết quả"), _DOSSIER + ("tracking_number", "returned_at")
    ),
    CARD_EXPIRY_REMINDER: EventSpec(
        _("Nhắc cấp đổi thẻ căn cước"), ("card_number", "expires_on", "renewal_age")
    ),
}

EVENT_CHOICES = [(name, spec.label) for name, spec in EVENTS.items()]


def allowed_placeholders(event: str) -> frozenset[str]:
    return frozenset(EVENTS[event].placeholders) | frozenset(AUTOMATIC)


def sample_context() -> dict:
    """Example values for every placeholder (admin preview)."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    row = {
        "code": "G09.20-20260609-0001",
        "procedure": "Đăng ký tạm trú",
        "due_at": dt.datetime.combine(today, dt.time(16, 30)),
    }
    return {
        "portal_url": "https://dichvucong.example.vn",
        "citizen_name": "Nguyễn Thị Hương",
        "dossier_code": "G09.20-20260609-0001",
        "procedure_name": "Đăng ký tạm trú",
        "unit_name": "Công an phường Phan Đình Phùng",
        "submitted_at": dt.datetime.combine(today, dt.time(9, 15)),
        "recorded_at": "22:40 " + today.strftime("%d/%m/%Y"),
        "appointment_date": today + dt.timedelta(days=3),
        "reason": "Ảnh giấy tờ bị mờ, không đọc được",
        "items": ["Hợp đồng thuê nhà (bản chụp rõ nét)", "Văn bản đồng ý của chủ hộ"],
        "deadline": today + dt.timedelta(days=5),
        "legal_provision": "Khoản 1 Điều 27 Luật Cư trú 2020",
        "collection_method": "Nhận trực tiếp tại Công an phường Phan Đình Phùng",
        "return_method": "Gửi qua bưu chính công ích",
        "result_url": "https://dichvucong.example.vn/ho-so/TNG-20250101-0001/",
        "original_date": today,
        "new_date": today + dt.timedelta(days=2),
        "due_at": "16:30 " + today.strftime("%d/%m/%Y"),
        "code": "123456",
        "minutes": 5,
        "purpose_label": "xac minh so dien thoai",
        "day": today,
        "due_today": [row],
        "due_tomorrow": [],
        "overdue": [row],
        "overdue_count": 3,
        "by_unit": [{"unit": "Công an phường Phan Đình Phùng", "count": 3}],
        "complaint_code": "PA000123",
        "handling_unit_name": "Công an tỉnh Thái Nguyên",
        "response_due": dt.datetime.combine(today + dt.timedelta(days=1), dt.time(16, 30)),
        "resolution": "Đơn vị đã tiếp nhận lại hồ sơ và trả kết quả đúng hẹn mới.",
        "residence_address": "Số 12, tổ 5, Phường Phan Đình Phùng, Tỉnh Thái Nguyên",
        "expires_on": today + dt.timedelta(days=15),
        "days_left": 15,
        "tracking_number": "SM123456789VN",
        "postal_address": "Số 12, tổ 5, Phường Phan Đình Phùng, Tỉnh Thái Nguyên",
        "delivered_at": "10:20 " + today.strftime("%d/%m/%Y"),
        "returned_at": "10:20 " + today.strftime("%d/%m/%Y"),
        "card_number": "019190000123",
        "renewal_age": "25",
    }
