"""Khai báo tạm vắng (1.003677): approval writes the registry (TemporaryAbsence and a
RegistryChange) and still issues CT03; a person not in the registry and an absence entirely in
the past are refused with specific messages; refusal leaves the registry untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.dossiers import services
from portal.dossiers.models import State
from residence.models import RegistryChange, TemporaryAbsence
from tests.dossiers.conftest import make_citizen, valid_absence_form
from tests.residence.temporary.conftest import file_dossier, form_errors, result_text

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def test_approval_records_the_absence_and_issues_ct03(citizen, person, procedure, area, approve):
    form = valid_absence_form()
    dossier = file_dossier(citizen=citizen, procedure=procedure, area=area, form=form)
    dossier = approve(dossier)
    absence = TemporaryAbsence.objects.get(person=person)
    assert absence.dossier_id == dossier.pk
    assert absence.date_from.isoformat() == form["date_from"]
    assert absence.date_to.isoformat() == form["date_to"]
    assert absence.destination == form["destination_address"]
    assert absence.reason == form["reason"]
    change = RegistryChange.objects.get(dossier=dossier)
    assert change.kind == "absence_declared" and change.person == person
    text = result_text(dossier)
    assert "CT03" in text and "Số 10 phố Huế" in text


def test_person_not_in_the_registry_is_refused(procedure, area, unit):
    outsider = make_citizen("001097005555", "Đỗ Văn Ngoài", in_registry=False, phone="+84900000555")
    dossier = services.create_draft(citizen=outsider, procedure=procedure, area=area)
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=outsider, form_data=valid_absence_form())
    assert form_errors(info) == {
        "personal_id": [
            "Không tìm thấy người có số định danh 001097005555 trong Cơ sở dữ liệu về cư trú: "
            "chỉ khai báo tạm vắng được cho người đã đăng ký thường trú hoặc tạm trú. Vui lòng "
            "liên hệ Công an xã / phường nơi cư trú."
        ]
    }


def test_absence_entirely_in_the_past_is_refused(citizen, person, procedure, area, unit):
    end = today() - dt.timedelta(days=1)
    form = valid_absence_form(
        date_from=(today() - dt.timedelta(days=30)).isoformat(), date_to=end.isoformat()
    )
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area)
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=citizen, form_data=form)
    assert form_errors(info) == {
        "date_to": [
            f"Thời gian tạm vắng đã kết thúc (đến ngày {end:%d/%m/%Y}, trước hôm nay): "
            "không khai báo tạm vắng cho khoảng thời gian đã qua."
        ]
    }


def test_absence_that_started_already_but_goes_on_is_accepted(
    citizen, person, procedure, area, unit
):
    form = valid_absence_form(
        date_from=(today() - dt.timedelta(days=30)).isoformat(), date_to=today().isoformat()
    )
    dossier = file_dossier(citizen=citizen, procedure=procedure, area=area, form=form)
    assert dossier.state == State.SUBMITTED


def test_refusal_leaves_the_registry_untouched(
    citizen, person, procedure, area, unit_leader, to_processing
):
    dossier = file_dossier(
        citizen=citizen, procedure=procedure, area=area, form=valid_absence_form()
    )
    services.refuse(
        dossier=to_processing(dossier),
        actor=unit_leader,
        reason="Không thuộc diện khai báo tạm vắng",
        legal_provision="Điều 31 Luật Cư trú 2020",
    )
    assert not TemporaryAbsence.objects.exists()
    assert not RegistryChange.objects.exists()
