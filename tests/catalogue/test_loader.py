import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from portal.catalogue.models import (
    DeadlineKind,
    FormTemplate,
    LegalBasis,
    Procedure,
    ProcedureFee,
    ReceptionMode,
    RequiredDocument,
)
from portal.catalogue.services import DATA_DIR, load_catalogue

RESIDENCE = {
    # code: (deadline days, deadline max, fee in person, fee online)
    "1.004222": ("7", None, 20000, 10000),
    "1.003197": ("5", None, None, None),
    "1.010038": ("5", None, 10000, 5000),
    "1.010039": ("3", None, None, None),
    "1.004194": ("3", None, 15000, 7000),
    "1.002755": ("3", None, 15000, 7000),
    "1.010028": ("2", None, None, None),
    "1.010041": ("0.5", "3", None, None),
    "1.003677": ("1", "2", None, None),
}
# National codes (issue 11); level 2 until the identity plugins are registered.
IDENTITY = {"2.000200", "2.001195", "2.001194", "2.001178"}
DAY = dt.date(2026, 3, 2)


def _counts():
    return (
        Procedure.objects.count(),
        LegalBasis.objects.count(),
        ProcedureFee.objects.count(),
        RequiredDocument.objects.count(),
        FormTemplate.objects.count(),
    )


def test_all_domain_procedures_present_with_deadlines_and_fees(catalogue):
    codes = set(Procedure.objects.values_list("code", flat=True))
    assert codes >= set(RESIDENCE) | {"2.001159"} | IDENTITY
    for code, (days, max_days, in_person, online) in RESIDENCE.items():
        p = Procedure.objects.get(code=code)
        assert p.field == "residence"
        assert p.deadline_kind == DeadlineKind.WORKING_DAYS
        assert p.deadline_days == Decimal(days), code
        assert p.deadline_days_max == (Decimal(max_days) if max_days else None), code
        fee = p.fee_on(DAY, "in_person")
        assert (fee.amount if fee else None) == in_person, code
        fee = p.fee_on(DAY, "online")
        assert (fee.amount if fee else None) == online, code
        assert p.legal_bases.filter(number="68/2020/QH14").exists()
        assert p.handling_level == "commune"
    stay = Procedure.objects.get(code="2.001159")
    assert stay.deadline_kind == DeadlineKind.IMMEDIATE
    assert stay.reception_mode == ReceptionMode.ROUND_THE_CLOCK
    assert not stay.forms.exists()
    others = Procedure.objects.exclude(code="2.001159")
    assert not others.filter(reception_mode=ReceptionMode.ROUND_THE_CLOCK).exists()


def test_every_procedure_names_its_sources(catalogue):
    for p in Procedure.objects.all():
        assert p.source, p.code
        assert p.name_en, p.code
        assert p.result_methods, p.code
    # identity-card codes are national, and their source says where each comes from (the
    # commune-level codes are unverified, and say so)
    for code in IDENTITY:
        source = Procedure.objects.get(code=code).source
        assert "MÃ NỘI BỘ" not in source
        assert "CHƯA KIỂM CHỨNG" in source


@pytest.mark.parametrize(
    ("code", "day", "expected"),
    [
        ("2.001195", dt.date(2025, 6, 30), 50000),
        ("2.001195", dt.date(2025, 7, 1), 25000),
        ("2.001195", dt.date(2026, 12, 31), 25000),
        ("2.001195", dt.date(2027, 1, 1), 50000),
        ("2.001194", dt.date(2025, 7, 1), 35000),
        ("2.001194", dt.date(2027, 1, 1), 70000),
    ],
)
def test_identity_card_fees_halved_from_july_2025_to_end_2026(catalogue, code, day, expected):
    p = Procedure.objects.get(code=code)
    assert p.fee_on(day, "in_person").amount == expected
    assert p.fee_on(day, "online").amount == expected


def test_first_identity_card_is_free_and_not_online_before_its_plugin(catalogue):
    p = Procedure.objects.get(code="2.000200")
    assert p.fee_on(DAY, "in_person") is None
    # level 2 (form DC02 to download) until the identity plugins register and set level 3
    assert p.level == 2
    assert [f.code for f in p.forms.all()] == ["DC02"]
    assert "lần đầu" in p.exemptions


def test_every_level_is_present_and_level_one_offers_no_forms(catalogue):
    levels = set(Procedure.objects.values_list("level", flat=True))
    # Levels 1 and 3 were the identity procedures' (local codes); with the national codes they are
    # at level 2 until their plugins set the real levels (issue 11).
    assert levels >= {2, 4}
    for p in Procedure.objects.filter(level=1):
        assert not p.forms.exists()
        assert "DEMO" in p.source
    absence = Procedure.objects.get(code="1.003677")
    assert absence.level >= 3
    assert absence.required_documents.filter(is_mandatory=True).exists()
    assert Procedure.objects.get(code="1.004222").forms.filter(code="CT01").exists()


def test_loader_is_idempotent_and_replaces_child_rows(catalogue):
    before = _counts()
    p = Procedure.objects.get(code="1.004194")
    p.name_vi = "Sửa tay"
    p.save()
    p.fees.all().delete()
    ProcedureFee.objects.create(procedure=p, channel="online", amount=1, valid_from=DAY)
    Procedure.objects.create(
        code="9.999999", name_vi="Thủ tục chỉ có trong CSDL", field="residence", level=1
    )

    summary = load_catalogue()

    assert summary.created == []
    assert "1.004194" in summary.updated
    p.refresh_from_db()
    assert p.name_vi == "Đăng ký tạm trú"
    assert p.fee_on(DAY, "online").amount == 7000
    assert p.fees.count() == 2
    assert Procedure.objects.filter(code="9.999999").exists()  # left alone
    after = _counts()
    assert after[0] == before[0] + 1
    assert after[1:] == before[1:]


def test_search_text_is_folded(catalogue):
    assert "dang ky tam tru" in Procedure.objects.get(code="1.004194").search_text


def test_command_prints_summary(db):
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "14 mới" in out.getvalue()
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "0 mới, 14 cập nhật" in out.getvalue()


def test_bad_data_is_refused_without_partial_load(db, tmp_path: Path):
    data = yaml.safe_load((DATA_DIR / "procedures.yaml").read_text(encoding="utf-8"))
    data["procedures"][-1]["level"] = 7
    (tmp_path / "procedures.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    (tmp_path / "forms.yaml").write_text(
        (DATA_DIR / "forms.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="mức độ"):
        call_command("load_catalogue", data_dir=str(tmp_path), stdout=io.StringIO())
    assert Procedure.objects.count() == 0  # atomic
