"""Demo dossiers for `make run`, so the staff queues and the citizen's pages have something in them.

Created through the engine's services (as a citizen and the demo officers of Công an xã Định Hóa
would), once: if the unit already has dossiers nothing is added, so `seed_demo` stays idempotent.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from portal.accounts.models import User
from portal.backoffice import services as backoffice_services
from portal.catalogue.models import Procedure
from portal.dossiers import services
from portal.dossiers.models import Dossier
from portal.units.models import PoliceUnit

DEMO_UNIT = "CAX.DINHHOA"
ABSENCE = "1.003677"  # khai báo tạm vắng: the first plugin


def _pdf(name: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _absence_form(citizen: User, plugin, n: int) -> dict:
    start = dt.date(2027, 1, 4) + dt.timedelta(days=7 * n)
    return {
        **plugin.initial(citizen=citizen),
        "reason": "Đi làm việc theo hợp đồng lao động tại khu công nghiệp Yên Phong, Bắc Ninh",
        "date_from": start.isoformat(),
        "date_to": (start + dt.timedelta(days=90)).isoformat(),
        "destination_address": "Khu công nghiệp Yên Phong, xã Yên Phong, tỉnh Bắc Ninh",
    }


def _filed(citizen: User, procedure: Procedure, unit: PoliceUnit, n: int) -> Dossier:
    from residence.services.common import get_or_create_person

    # Khai báo tạm vắng is declared by a person in the residence registry (idempotent).
    get_or_create_person(
        personal_id=citizen.personal_id,
        full_name=citizen.full_name or citizen.username,
        date_of_birth=citizen.date_of_birth or dt.date(1990, 1, 1),
        sex=citizen.sex or "M",
    )
    plugin = services.get_plugin(procedure)
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=unit.area)
    dossier = services.update_draft(
        dossier=dossier,
        actor=citizen,
        form_data=_absence_form(citizen, plugin, n),
        result_method=(procedure.result_methods or ["in_person"])[0],
    )
    for required in plugin.required_documents(dossier=dossier):
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=_pdf(f"{required.key}.pdf"),
            requirement_key=required.key,
        )
    return services.submit(dossier=dossier, actor=citizen)


@transaction.atomic
def seed_dossiers() -> list[Dossier]:
    """A handful of khai báo tạm vắng dossiers at Định Hóa in the states staff work on."""
    unit = PoliceUnit.objects.filter(code=DEMO_UNIT).first()
    procedure = Procedure.objects.filter(code=ABSENCE, level__gte=3).first()
    if unit is None or unit.area_id is None or procedure is None:
        return []
    if Dossier.objects.filter(unit=unit).exists():
        return []
    staff = {u.username: u for u in User.objects.filter(username__endswith=".dinhhoa")}
    receiving, handling, leader = (
        staff.get("tiepnhan.dinhhoa"),
        staff.get("xuly.dinhhoa"),
        staff.get("lanhdao.dinhhoa"),
    )
    citizens = list(
        User.objects.filter(kind=User.Kind.CITIZEN, personal_id__isnull=False).order_by(
            "personal_id"
        )[:7]
    )
    if not (receiving and handling and leader) or len(citizens) < 7:
        return []

    made = [_filed(c, procedure, unit, n) for n, c in enumerate(citizens)]
    # 0, 1: waiting for reception. 2: received. 3: processing. 4: supplement requested.
    # 5: approved, result ready to return. 6: refused.
    for dossier in made[2:6]:
        services.receive(dossier=dossier, actor=receiving)
    services.start_processing(dossier=made[3], actor=handling)
    services.request_supplement(
        dossier=made[4],
        actor=receiving,
        items=[
            {
                "document": "Văn bản đồng ý của cơ quan có thẩm quyền giám sát, quản lý",
                "copy_kind": "Bản chính hoặc bản sao",
                "problem": "Tệp đã nộp là trang trắng, không đọc được nội dung.",
            }
        ],
        guidance="Vui lòng chụp hoặc quét lại văn bản đồng ý, rõ nét, đủ chữ ký và con dấu.",
    )
    services.start_processing(dossier=made[5], actor=handling)
    services.approve(dossier=made[5], actor=leader)
    backoffice_services.refuse(  # the unit leader decides refusals (notice §2.1)
        dossier=made[6],
        actor=leader,
        reason_category="khong-thuoc-tham-quyen",
        explanation="Nơi cư trú khai trong tờ khai thuộc địa bàn xã khác, không thuộc địa bàn "
        "Công an xã Định Hóa; đề nghị nộp trực tuyến lại và chọn đúng xã nơi đang cư trú.",
    )
    return made
