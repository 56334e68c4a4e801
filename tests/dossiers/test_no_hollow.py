"""No hollow procedure: a procedure is filed online only when a plugin is registered for it.

Without one it is shown at the level it really offers (information and forms), with where to
file; the system check fails start-up for a published level 3–4 procedure without a plugin, and
for a level-4 online fee no payment provider can take.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import subprocess
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.forms import modelform_factory
from django.urls import reverse

from portal.catalogue.admin import ProcedureAdminForm
from portal.catalogue.models import Procedure, ProcedureFee
from portal.catalogue.services import DATA_DIR, load_catalogue
from portal.core.errors import Conflict
from portal.dossiers import checks, services
from portal.dossiers.models import State
from tests.dossiers.conftest import (
    make_procedure,
    register_test_payment_provider,
    register_test_plugin,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOLLOW = "9.100001"


@pytest.fixture
def hollow(db) -> Procedure:
    """A published level-4 procedure whose online part was never built (no plugin)."""
    return make_procedure(HOLLOW, "Thủ tục chưa xây dựng phần trực tuyến", level=4, plugin=False)


# --- filing is refused -----------------------------------------------------------------------


def test_create_draft_refuses_a_procedure_without_plugin(hollow, citizen, area, unit):
    with pytest.raises(Conflict) as exc:
        services.create_draft(citizen=citizen, procedure=hollow, area=area)
    assert exc.value.code == "procedure_not_online"
    assert unit.name in exc.value.message  # where to file instead
    assert "mức độ 2" in exc.value.message  # the level it really has


def test_api_create_answers_409_procedure_not_online(hollow, citizen, area, unit, client):
    client.force_login(citizen)
    response = client.post(
        "/api/v1/dossiers/",
        {"procedure": HOLLOW, "area": area.code, "form_data": {}},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_not_online"
    assert response.json()["errors"]["unit"]["name"] == unit.name


def test_filing_page_shows_where_to_file_instead(hollow, citizen, unit, client):
    client.force_login(citizen)
    response = client.get(reverse("dossiers:start", kwargs={"procedure_code": HOLLOW}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "chưa nộp hồ sơ trực tuyến được" in html
    assert unit.name in html and unit.address in html
    assert "Mức độ 2" in html
    assert "dự kiến có kết quả lúc" in html  # the estimate if filed there today
    assert 'name="action" value="submit"' not in html


def test_a_draft_whose_plugin_is_gone_can_be_neither_changed_nor_submitted_nor_approved(
    procedure, citizen, area, unit, make_dossier, staff_by_role, absence_form
):
    from portal.dossiers.registry import registry

    draft = make_dossier("draft")
    processing = make_dossier("processing")
    plugin = registry.get(procedure.code)
    registry.unregister(procedure.code)
    try:
        with pytest.raises(Conflict) as changed:
            services.update_draft(dossier=draft, actor=citizen, form_data=absence_form())
        with pytest.raises(Conflict) as submitted:
            services.submit(dossier=draft, actor=citizen)
        with pytest.raises(Conflict) as approved:
            services.approve(dossier=processing, actor=staff_by_role["unit_leader"])
    finally:
        registry.register(plugin)
    assert {changed.value.code, submitted.value.code, approved.value.code} == {
        "procedure_not_online"
    }
    draft.refresh_from_db()
    processing.refresh_from_db()
    assert (draft.state, processing.state) == (State.DRAFT, State.PROCESSING)


# --- the catalogue shows the real level --------------------------------------------------------


def test_catalogue_page_offers_no_online_button_without_plugin(hollow, citizen, unit, client):
    client.force_login(citizen)
    html = client.get(f"/thu-tuc/{HOLLOW}/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in html
    assert "Mức độ 2" in html and "Mức độ 4" not in html
    assert "chưa nhận hồ sơ trực tuyến" in html
    assert unit.name in html  # the citizen's commune police: where to go


def test_catalogue_page_offers_the_button_once_a_plugin_is_registered(hollow, client):
    register_test_plugin(HOLLOW)
    html = client.get(f"/thu-tuc/{HOLLOW}/").content.decode()
    assert "Nộp hồ sơ trực tuyến" in html
    assert "Mức độ 4" in html


def test_catalogue_api_shows_the_real_level_and_online_flag(hollow, client):
    body = client.get(f"/api/v1/procedures/{HOLLOW}/").json()
    assert (body["level"], body["online_submission_allowed"]) == (2, False)
    assert body["decree_42_name"] == "Cung cấp thông tin trực tuyến"
    level_2 = [p["code"] for p in client.get("/api/v1/procedures/?level=2").json()["results"]]
    level_4 = [p["code"] for p in client.get("/api/v1/procedures/?level=4").json()["results"]]
    assert HOLLOW in level_2 and HOLLOW not in level_4
    register_test_plugin(HOLLOW)
    body = client.get(f"/api/v1/procedures/{HOLLOW}/").json()
    assert (body["level"], body["online_submission_allowed"]) == (4, True)


def test_level_4_with_an_online_fee_and_no_payment_provider_is_level_3(
    hollow, client, no_payment_provider
):
    register_test_plugin(HOLLOW)
    ProcedureFee.objects.create(
        procedure=hollow, channel="online", amount=7000, valid_from=dt.date(2023, 1, 1)
    )
    hollow = Procedure.objects.get(pk=hollow.pk)
    assert (hollow.effective_level, hollow.requires_online_payment) == (3, False)
    level_3 = [p["code"] for p in client.get("/api/v1/procedures/?level=3").json()["results"]]
    assert HOLLOW in level_3
    register_test_payment_provider()
    assert (hollow.effective_level, hollow.requires_online_payment) == (4, True)


# --- the system check --------------------------------------------------------------------------


def _yaml(tmp_path, *procedures) -> Path:
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump({"procedures": list(procedures)}), encoding="utf-8")
    return path


def test_check_reports_a_published_level_3_procedure_without_plugin_in_the_catalogue_file(
    tmp_path,
):
    path = _yaml(
        tmp_path,
        {"code": "9.1", "level": 3, "fees": []},
        {"code": "9.2", "level": 3, "published": False},
        {"code": "9.3", "level": 2},
    )
    errors = checks.catalogue_file_errors(path)
    assert [(e.id, "9.1" in e.msg) for e in errors] == [("dossiers.E002", True)]
    register_test_plugin("9.1")
    assert checks.catalogue_file_errors(path) == []


def test_check_reports_a_level_4_online_fee_without_payment_provider(tmp_path, no_payment_provider):
    register_test_plugin("9.4")
    register_test_plugin("9.5")
    path = _yaml(
        tmp_path,
        {"code": "9.4", "level": 4, "fees": [{"channel": "online", "amount": 7000}]},
        # an online fee that ended, and a free online channel: nothing to pay
        {
            "code": "9.5",
            "level": 4,
            "fees": [
                {"channel": "online", "amount": 7000, "to": dt.date(2020, 1, 1)},
                {"channel": "online", "amount": 0},
                {"channel": "in_person", "amount": 15000},
            ],
        },
    )
    errors = checks.catalogue_file_errors(path)
    assert [(e.id, "9.4" in e.msg) for e in errors] == [("dossiers.W003", True)]
    register_test_payment_provider()
    assert checks.catalogue_file_errors(path) == []


def test_check_reads_the_database_too(hollow):
    errors = checks.database_errors()
    assert [(e.id, e.obj) for e in errors] == [("dossiers.E002", hollow)]
    hollow.level = 2
    hollow.save()
    assert checks.database_errors() == []


def test_check_is_registered_and_runs_with_manage_py_check(hollow):
    from django.core import checks as django_checks

    ids = {e.id for e in django_checks.run_checks() if e.obj == hollow}
    assert ids == {"dossiers.E002"}


def test_shipped_catalogue_has_no_level_4_fee_waiting_for_a_payment_provider():
    """The four fee-bearing residence procedures are level 4 again: portal.payments registers
    the configured provider (sandbox in development), so none waits for an impossible payment."""
    data = yaml.safe_load((DATA_DIR / "procedures.yaml").read_text(encoding="utf-8"))
    levels = {str(p["code"]): p["level"] for p in data["procedures"]}
    assert {levels[c] for c in ("1.004222", "1.004194", "1.010038", "1.002755")} == {4}
    assert all(level <= 2 for code, level in levels.items() if code.startswith("CC-"))
    assert not [e for e in checks.catalogue_file_errors() if e.id == "dossiers.W003"]


def test_load_catalogue_brings_the_new_levels_to_an_existing_database(db):
    Procedure.objects.create(
        code="1.004222", name_vi="Đăng ký thường trú", field="residence", level=3
    )
    Procedure.objects.create(
        code="2.001178", name_vi="Cấp xác nhận số CMND", field="identity", level=2
    )
    load_catalogue()
    assert Procedure.objects.get(code="1.004222").level == 4
    assert Procedure.objects.get(code="2.001178").level == 4


def test_start_up_runs_the_checks_before_serving():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"]["web"]["command"]
    assert command.index("manage.py check --deploy --fail-level ERROR") < command.index("gunicorn")
    # a bare gunicorn (the image's CMD) runs them from its default configuration file, in a child
    # process so the master (which the workers are forked from) does not load Django (issue 13)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    assert config.CHECK_COMMAND[1:] == [
        str(ROOT / "manage.py"),
        *["check", "--deploy", "--fail-level", "ERROR"],
    ]
    ran = []

    class Server:
        log = logging.getLogger("gunicorn.error")

    def run(command, check):
        ran.append(command)
        return subprocess.CompletedProcess(command, returncode)

    for returncode in (0, 1):
        with mock.patch.object(config.subprocess, "run", run):
            if returncode:
                with pytest.raises(SystemExit):
                    config.on_starting(Server())
            else:
                config.on_starting(Server())  # warnings only: serves
    assert ran == [config.CHECK_COMMAND] * 2


# --- the admin ---------------------------------------------------------------------------------


def _admin_form(data, instance=None):
    form_class = modelform_factory(
        Procedure,
        form=ProcedureAdminForm,
        fields=[
            "code",
            "name_vi",
            "field",
            "level",
            "deadline_kind",
            "deadline_days",
            "reception_mode",
            "handling_level",
            "result_methods",
            "is_published",
        ],
    )
    base = {
        "code": HOLLOW,
        "name_vi": "Thủ tục thử",
        "field": "residence",
        "level": 3,
        "deadline_kind": "working_days",
        "deadline_days": "3",
        "reception_mode": "office_hours",
        "handling_level": "commune",
        "result_methods": ["in_person"],
        "is_published": True,
    }
    return form_class({**base, **data}, instance=instance)


def test_admin_refuses_level_3_or_4_for_a_procedure_without_plugin(db):
    for level in (3, 4):
        form = _admin_form({"level": level})
        assert not form.is_valid()
        assert "chưa đăng ký plugin" in form.errors["level"][0]
    assert _admin_form({"level": 2}).is_valid()
    register_test_plugin(HOLLOW)
    assert _admin_form({"level": 3}).is_valid()


def test_admin_refuses_level_4_with_an_online_fee_while_no_payment_provider(
    hollow, no_payment_provider
):
    register_test_plugin(HOLLOW)
    ProcedureFee.objects.create(
        procedure=hollow, channel="online", amount=7000, valid_from=dt.date(2023, 1, 1)
    )
    form = _admin_form({"level": 4}, instance=hollow)
    assert not form.is_valid()
    assert "thanh toán trực tuyến" in form.errors["level"][0]
    assert _admin_form({"level": 3}, instance=hollow).is_valid()


def test_a_dossier_whose_plugin_is_gone_can_still_be_refused_with_its_slip(
    procedure, make_dossier, unit_leader
):
    from portal.dossiers.models import Document
    from portal.dossiers.registry import registry

    processing = make_dossier("processing")
    plugin = registry.get(procedure.code)
    registry.unregister(procedure.code)
    try:
        refused = services.refuse(
            dossier=processing,
            actor=unit_leader,
            reason="Thủ tục chưa giải quyết trực tuyến được",
            legal_provision="Khoản 1 Điều 22 Luật Cư trú 2020",
        )
    finally:
        registry.register(plugin)
    assert refused.state == State.REFUSED
    slip = refused.documents.get(kind=Document.Kind.REFUSAL)
    # the stored form data is still shown (generic labels), nothing is lost
    assert ["reason", "Đi làm việc tại Hà Nội"] in slip.context["summary"]
