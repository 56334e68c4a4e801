"""Default Vietnamese templates shipped with the portal (loaded by `load_notification_templates`).

Loading is idempotent: a template already in the database is left alone (staff may have edited it)
unless `overwrite=True`.
"""

from __future__ import annotations

from notifications import events as ev

_SIGN = "Cổng dịch vụ công – Công an"

# (event, channel) -> fields. SMS bodies are short; emails have a subject and text body (HTML is
# generated from the text unless a template provides one).
DEFAULT_TEMPLATES: dict[tuple[str, str], dict] = {
    (ev.DOSSIER_SUBMITTED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) đã nộp thành công tới "
        "{{ unit_name }}. Tra cứu: {{ portal_url }}/tra-cuu/",
    },
    (ev.DOSSIER_SUBMITTED, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} đã được nộp",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Hồ sơ {{ dossier_code }} – {{ procedure_name }} đã được nộp thành công lúc "
        "{{ submitted_at }} và đang chờ {{ unit_name }} tiếp nhận.\n\n"
        "Theo dõi hồ sơ tại {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.NOTICE_RECORDED, "sms"): {
        "body": "{{ unit_name }} đã ghi nhận {{ procedure_name|lower }} {{ dossier_code }} "
        "lúc {{ recorded_at }}. Xem: {{ portal_url }}/ho-so/",
    },
    (ev.NOTICE_RECORDED, "email"): {
        "subject": "Đã ghi nhận thông báo {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đã ghi nhận {{ procedure_name|lower }} {{ dossier_code }} lúc "
        "{{ recorded_at }}. Thông tin đã được cập nhật vào Cơ sở dữ liệu về cư trú; "
        "không cần thực hiện thêm thủ tục nào.\n\n"
        "Xem nội dung đã thông báo tại {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.DOSSIER_RECEIVED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} đã được {{ unit_name }} tiếp nhận. "
        "Ngày hẹn trả kết quả: {{ appointment_date }}.",
    },
    (ev.DOSSIER_RECEIVED, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} đã được tiếp nhận",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đã tiếp nhận hồ sơ {{ dossier_code }} – {{ procedure_name }}.\n"
        "Ngày hẹn trả kết quả: {{ appointment_date }}.\n\n"
        "Phiếu tiếp nhận và hẹn trả kết quả có trong trang hồ sơ: {{ portal_url }}/ho-so/\n\n"
        + _SIGN,
    },
    (ev.SUPPLEMENT_REQUESTED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} cần bổ sung: {{ items|join:'; ' }}. "
        "Lý do: {{ reason }}.{% if deadline %} Hạn: {{ deadline }}.{% endif %} {{ portal_url }}/ho-so/",
    },
    (ev.SUPPLEMENT_REQUESTED, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} cần bổ sung giấy tờ",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đề nghị bổ sung hồ sơ {{ dossier_code }} – {{ procedure_name }}.\n"
        "Lý do: {{ reason }}.\n\nGiấy tờ cần bổ sung:\n"
        "{% for item in items %}- {{ item }}\n{% endfor %}\n"
        "{% if deadline %}Hạn bổ sung: {{ deadline }}. {% endif %}"
        "Bổ sung trực tuyến tại {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.DOSSIER_REFUSED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} bị từ chối. Lý do: {{ reason }} "
        "(căn cứ {{ legal_provision }}). Chi tiết: {{ portal_url }}/ho-so/",
    },
    (ev.DOSSIER_REFUSED, "email"): {
        "subject": "Thông báo từ chối hồ sơ {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} từ chối giải quyết hồ sơ {{ dossier_code }} – {{ procedure_name }}.\n"
        "Lý do: {{ reason }}\nCăn cứ pháp lý: {{ legal_provision }}\n\n"
        "Văn bản từ chối có trong trang hồ sơ: {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.DOSSIER_APPROVED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} đã được giải quyết. Nhận kết quả: {{ collection_method }}.",
    },
    (ev.DOSSIER_APPROVED, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} đã được giải quyết",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Hồ sơ {{ dossier_code }} – {{ procedure_name }} đã được {{ unit_name }} giải quyết.\n"
        "Cách nhận kết quả: {{ collection_method }}\n\n" + _SIGN,
    },
    (ev.RESULT_READY, "sms"): {
        "body": "Đã có kết quả hồ sơ {{ dossier_code }}. Nhận kết quả: {{ collection_method }}.",
    },
    (ev.RESULT_READY, "email"): {
        "subject": "Đã có kết quả hồ sơ {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Kết quả hồ sơ {{ dossier_code }} – {{ procedure_name }} đã sẵn sàng.\n"
        "Cách nhận kết quả: {{ collection_method }}\n"
        "Khi nhận kết quả tại {{ unit_name }}, vui lòng mang theo bản chính giấy tờ để đối chiếu.\n\n"
        + _SIGN,
    },
    (ev.RESULT_RETURNED, "sms"): {
        "body": "Kết quả hồ sơ {{ dossier_code }} đã được trả ({{ return_method }}). Cảm ơn Ông/Bà.",
    },
    (ev.RESULT_RETURNED, "email"): {
        "subject": "Đã trả kết quả hồ sơ {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Kết quả hồ sơ {{ dossier_code }} – {{ procedure_name }} đã được trả: {{ return_method }}.\n\n"
        "{% if result_url %}Văn bản kết quả (nếu là bản điện tử có ký số thì được đính kèm thư "
        "này) luôn tải được tại trang hồ sơ: {{ result_url|default:'' }}\n\n{% endif %}" + _SIGN,
    },
    (ev.DOSSIER_DELAYED, "sms"): {
        "body": "Xin lỗi Ông/Bà: hồ sơ {{ dossier_code }} chậm trả kết quả ({{ reason }}). "
        "Ngày hẹn mới: {{ new_date }}.",
    },
    (ev.DOSSIER_DELAYED, "email"): {
        "subject": "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} xin lỗi vì hồ sơ {{ dossier_code }} – {{ procedure_name }} "
        "không trả kết quả đúng hẹn ngày {{ original_date }}.\n"
        "Lý do: {{ reason }}\nNgày hẹn trả kết quả mới: {{ new_date }}.\n\n"
        "Mong Ông/Bà thông cảm.\n\n" + _SIGN,
    },
    # Sent once per dossier when its due moment passes, before the leader's apology (form 04).
    (ev.DOSSIER_OVERDUE, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} đã quá hạn trả kết quả ({{ due_at }}). {{ unit_name }} "
        "sẽ gửi thư xin lỗi và hẹn lại ngày trả. {{ portal_url }}/ho-so/",
    },
    (ev.DOSSIER_OVERDUE, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} đã quá hạn trả kết quả",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Hồ sơ {{ dossier_code }} – {{ procedure_name }} chưa được {{ unit_name }} trả kết quả "
        "đúng hẹn ({{ due_at }}).\n"
        "Đơn vị sẽ gửi Ông/Bà thư xin lỗi, nêu lý do và ngày hẹn trả kết quả mới. Ông/Bà có "
        "quyền phản ánh, kiến nghị về việc chậm giải quyết.\n\n"
        "Theo dõi hồ sơ tại {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.OTP_CODE, "sms"): {
        "body": "Ma xac thuc {{ purpose_label }}: {{ code }}. Hieu luc {{ minutes }} phut. "
        "Khong cung cap ma cho bat ky ai.",
        "sms_mode": "strip",
        "max_sms_parts": 1,
    },
    (ev.STAFF_DIGEST, "email"): {
        "subject": "[{{ unit_name }}] Hồ sơ đến hạn và quá hạn ngày {{ day }}",
        "body": "Đơn vị: {{ unit_name }}\n\n"
        "Quá hạn ({{ overdue|length }}):\n{% for d in overdue %}- {{ d.code }} – {{ d.procedure }} "
        "(hạn {{ d.due_at }})\n{% empty %}- Không có\n{% endfor %}\n"
        "Đến hạn hôm nay ({{ due_today|length }}):\n{% for d in due_today %}- {{ d.code }} – "
        "{{ d.procedure }} (hạn {{ d.due_at }})\n{% empty %}- Không có\n{% endfor %}\n"
        "Đến hạn ngày mai ({{ due_tomorrow|length }}):\n{% for d in due_tomorrow %}- {{ d.code }} – "
        "{{ d.procedure }}\n{% empty %}- Không có\n{% endfor %}\n"
        "Xem danh sách tại {{ portal_url }}/admin/\n",
    },
    (ev.SUPERVISOR_DIGEST, "email"): {
        "subject": "[{{ unit_name }}] {{ overdue_count }} hồ sơ quá hạn ngày {{ day }}",
        "body": "Các đơn vị thuộc {{ unit_name }} có {{ overdue_count }} hồ sơ quá hạn.\n\n"
        "{% for row in by_unit %}- {{ row.unit }}: {{ row.count }}\n{% endfor %}\n",
    },
    (ev.DOSSIER_REOPENED, "sms"): {
        "body": "Hồ sơ {{ dossier_code }} đã được cấp trên mở lại để giải quyết. "
        "Ngày hẹn trả kết quả mới: {{ appointment_date }}.",
    },
    (ev.DOSSIER_REOPENED, "email"): {
        "subject": "Hồ sơ {{ dossier_code }} được mở lại để giải quyết",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Cơ quan cấp trên đã mở lại hồ sơ {{ dossier_code }} – {{ procedure_name }} để "
        "{{ unit_name }} giải quyết.\nLý do: {{ reason }}\n"
        "Ngày hẹn trả kết quả mới: {{ appointment_date }}.\n\n"
        "Theo dõi hồ sơ tại {{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.COMPLAINT_RECEIVED, "sms"): {
        "body": "Phản ánh {{ complaint_code }} về {{ unit_name }} đã được chuyển tới "
        "{{ handling_unit_name }}. Theo dõi: {{ portal_url }}/phan-anh/",
    },
    (ev.COMPLAINT_RECEIVED, "email"): {
        "subject": "Đã nhận phản ánh {{ complaint_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Phản ánh, kiến nghị {{ complaint_code }} về {{ unit_name }} đã được chuyển tới "
        "{{ handling_unit_name }} (cấp trên) để chỉ đạo giải quyết.\n\n"
        "Theo dõi tại {{ portal_url }}/phan-anh/\n\n" + _SIGN,
    },
    (ev.COMPLAINT_DIRECTED, "sms"): {
        "body": "Phản ánh {{ complaint_code }}: {{ handling_unit_name }} đã chỉ đạo {{ unit_name }} "
        "liên hệ và giải quyết trước {{ response_due }}.",
    },
    (ev.COMPLAINT_DIRECTED, "email"): {
        "subject": "Phản ánh {{ complaint_code }} đã được chỉ đạo giải quyết",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ handling_unit_name }} đã chỉ đạo {{ unit_name }} liên hệ với Ông/Bà và giải quyết "
        "phản ánh {{ complaint_code }}. Hạn phản hồi: {{ response_due }}.\n\n"
        "Theo dõi tại {{ portal_url }}/phan-anh/\n\n" + _SIGN,
    },
    (ev.COMPLAINT_CONTACTED, "sms"): {
        "body": "Phản ánh {{ complaint_code }}: {{ unit_name }} đã ghi nhận việc liên hệ với "
        "Ông/Bà. Chi tiết: {{ portal_url }}/phan-anh/",
    },
    (ev.COMPLAINT_CONTACTED, "email"): {
        "subject": "Phản ánh {{ complaint_code }}: đơn vị đã liên hệ",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đã ghi nhận việc liên hệ với Ông/Bà về phản ánh {{ complaint_code }}."
        "\n\nTheo dõi tại {{ portal_url }}/phan-anh/\n\n" + _SIGN,
    },
    (ev.COMPLAINT_RESOLVED, "sms"): {
        "body": "Phản ánh {{ complaint_code }} đã được giải quyết: {{ resolution }}. Xác nhận "
        "hoặc mở lại: {{ portal_url }}/phan-anh/",
    },
    (ev.COMPLAINT_RESOLVED, "email"): {
        "subject": "Phản ánh {{ complaint_code }} đã được giải quyết",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đã giải quyết phản ánh {{ complaint_code }}:\n{{ resolution }}\n\n"
        "Nếu Ông/Bà chưa hài lòng, hãy mở lại phản ánh tại {{ portal_url }}/phan-anh/\n\n" + _SIGN,
    },
    (ev.COMPLAINT_CLOSED, "sms"): {
        "body": "Phản ánh {{ complaint_code }} đã kết thúc. Cảm ơn Ông/Bà.",
    },
    (ev.COMPLAINT_CLOSED, "email"): {
        "subject": "Phản ánh {{ complaint_code }} đã kết thúc",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Phản ánh {{ complaint_code }} về {{ unit_name }} đã kết thúc. Cảm ơn Ông/Bà.\n\n" + _SIGN,
    },
    (ev.COMPLAINT_REOPENED, "sms"): {
        "body": "Phản ánh {{ complaint_code }} đã được mở lại và chuyển {{ handling_unit_name }}.",
    },
    (ev.COMPLAINT_REOPENED, "email"): {
        "subject": "Phản ánh {{ complaint_code }} đã được mở lại",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Phản ánh {{ complaint_code }} đã được mở lại (lý do: {{ reason }}) và chuyển "
        "{{ handling_unit_name }} chỉ đạo giải quyết.\n\n" + _SIGN,
    },
    (ev.COMPLAINT_ESCALATED, "sms"): {
        "body": "Phản ánh {{ complaint_code }} quá hạn xử lý, đã chuyển {{ handling_unit_name }} "
        "chỉ đạo.",
    },
    (ev.COMPLAINT_ESCALATED, "email"): {
        "subject": "Phản ánh {{ complaint_code }} đã được chuyển lên cấp trên",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Phản ánh {{ complaint_code }} về {{ unit_name }} chưa được xử lý đúng hạn nên đã được "
        "chuyển {{ handling_unit_name }} chỉ đạo.\n\n" + _SIGN,
    },
    (ev.TEMPORARY_RESIDENCE_EXPIRING, "sms"): {
        "body": "Tạm trú của Ông/Bà tại {{ residence_address }} hết hạn ngày {{ expires_on }}. "
        "Gia hạn trực tuyến: {{ portal_url }}",
    },
    (ev.TEMPORARY_RESIDENCE_EXPIRING, "email"): {
        "subject": "Đăng ký tạm trú của Ông/Bà sắp hết hạn ({{ expires_on }})",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Đăng ký tạm trú của Ông/Bà tại {{ residence_address }} hết hạn ngày {{ expires_on }} "
        "(còn {{ days_left }} ngày).\n"
        "Nếu tiếp tục ở tại đây, Ông/Bà thực hiện thủ tục gia hạn tạm trú trong 15 ngày trước "
        "khi hết hạn, trực tuyến tại {{ portal_url }} hoặc tại {{ unit_name }}.\n\n" + _SIGN,
    },
    (ev.RESULT_POSTED, "sms"): {
        "body": "Kết quả hồ sơ {{ dossier_code }} đã được gửi qua bưu điện, số hiệu "
        "{{ tracking_number }}. Theo dõi: {{ portal_url }}/ho-so/",
    },
    (ev.RESULT_POSTED, "email"): {
        "subject": "Kết quả hồ sơ {{ dossier_code }} đã được gửi qua bưu điện",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "{{ unit_name }} đã gửi kết quả hồ sơ {{ dossier_code }} – {{ procedure_name }} qua dịch "
        "vụ bưu chính công ích tới địa chỉ: {{ postal_address }}.\n"
        "Số hiệu bưu gửi: {{ tracking_number }}. Theo dõi hành trình tại "
        "{{ portal_url }}/ho-so/\n\n" + _SIGN,
    },
    (ev.RESULT_DELIVERED, "sms"): {
        "body": "Bưu điện đã phát kết quả hồ sơ {{ dossier_code }} (số hiệu {{ tracking_number }}) "
        "lúc {{ delivered_at }}.",
    },
    (ev.RESULT_DELIVERED, "email"): {
        "subject": "Kết quả hồ sơ {{ dossier_code }} đã được phát",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Bưu điện đã phát kết quả hồ sơ {{ dossier_code }} – {{ procedure_name }} "
        "(số hiệu {{ tracking_number }}) lúc {{ delivered_at }}.\n\n" + _SIGN,
    },
    (ev.RESULT_POST_RETURNED, "sms"): {
        "body": "Bưu điện không phát được kết quả hồ sơ {{ dossier_code }} (số hiệu "
        "{{ tracking_number }}), đã chuyển hoàn về {{ unit_name }}.",
    },
    (ev.RESULT_POST_RETURNED, "email"): {
        "subject": "Bưu điện không phát được kết quả hồ sơ {{ dossier_code }}",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Bưu điện không phát được kết quả hồ sơ {{ dossier_code }} – {{ procedure_name }} "
        "(số hiệu {{ tracking_number }}) và đã chuyển hoàn về {{ unit_name }} lúc "
        "{{ returned_at }}. Đơn vị sẽ liên hệ với Ông/Bà để thống nhất cách nhận.\n\n" + _SIGN,
    },
    (ev.CARD_EXPIRY_REMINDER, "sms"): {
        "body": "Thẻ căn cước số {{ card_number }} hết hạn ngày {{ expires_on }}"
        "{% if renewal_age %} (đủ {{ renewal_age }} tuổi){% endif %}. Cấp đổi trực tuyến: "
        "{{ portal_url }}/can-cuoc/cua-toi/",
    },
    (ev.CARD_EXPIRY_REMINDER, "email"): {
        "subject": "Thẻ căn cước số {{ card_number }} sắp hết hạn",
        "body": "Kính gửi {{ citizen_name|default:'Ông/Bà' }},\n\n"
        "Thẻ căn cước số {{ card_number }} của Ông/Bà có giá trị sử dụng đến ngày "
        "{{ expires_on }}{% if renewal_age %}, ngày Ông/Bà đủ {{ renewal_age }} tuổi (Điều 21 "
        "Luật Căn cước 2023){% endif %}.\n"
        "Ông/Bà có thể nộp hồ sơ cấp đổi thẻ trực tuyến và đặt lịch thu nhận tại "
        "{{ portal_url }}/can-cuoc/cua-toi/\n\n" + _SIGN,
    },
}
