"""Demo complaints for `make run`, so the supervisor's queue is not empty: the citizen whose demo
dossier at Công an xã Định Hóa was refused complains about it (waiting for the province's
direction), and another citizen's complaint about the same unit was already directed. Created
through the services, once: if the unit already has complaints nothing is added (idempotent)."""

from __future__ import annotations

from django.db import transaction

from portal.accounts.models import User
from portal.backoffice.demo_dossiers import DEMO_UNIT
from portal.dossiers.models import Dossier, State
from portal.units.models import PoliceUnit

from . import services
from .models import Complaint


@transaction.atomic
def seed_complaints() -> list[Complaint]:
    unit = PoliceUnit.objects.filter(code=DEMO_UNIT).first()
    supervisor = User.objects.filter(username="giamsat.thainguyen").first()
    if unit is None or supervisor is None or Complaint.objects.filter(unit=unit).exists():
        return []
    refused = (
        Dossier.objects.filter(unit=unit, state=State.REFUSED).select_related("citizen").first()
    )
    made = []
    if refused is not None:
        made.append(
            services.file_complaint(
                actor=refused.citizen,
                category="refusal_without_reason",
                dossier=refused,
                description="Hồ sơ khai báo tạm vắng của tôi bị từ chối vì “không thuộc địa "
                "bàn”, nhưng tôi đang cư trú tại xã Định Hóa. Đề nghị cấp trên xem xét lại.",
            )
        )
    other = (
        User.objects.filter(kind=User.Kind.CITIZEN, personal_id__isnull=False)
        .exclude(pk=refused.citizen_id if refused else None)
        .order_by("-personal_id")
        .first()
    )
    if other is not None:
        complaint = services.file_complaint(
            actor=other,
            category="staff_conduct",
            unit=unit,
            description="Khi tôi gọi điện hỏi về hồ sơ, cán bộ trả lời qua loa và yêu cầu tôi "
            "đến trụ sở nộp lại giấy tờ đã nộp trực tuyến.",
        )
        made.append(
            services.direct(
                complaint=complaint,
                actor=supervisor,
                instruction="Công an xã Định Hóa liên hệ ngay với công dân, giải thích rõ hồ sơ "
                "trực tuyến không phải nộp lại, kiểm điểm cán bộ liên quan.",
            )
        )
    return made
