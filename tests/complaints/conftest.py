"""Complaint fixtures: the dossier and back-office fixtures, plus a unit tree of depth 4
(ministry → province → legacy district → commune) and helpers to file and move complaints
through the services."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.units.models import PoliceUnit
from tests.backoffice.conftest import *  # noqa: F403 - units, staff, dossiers, staff_client
from tests.dossiers.conftest import make_staff

DESCRIPTION = "Hồ sơ tạm vắng của tôi bị từ chối mà không nêu rõ giấy tờ nào còn thiếu."
INSTRUCTION = "Liên hệ ngay với công dân, kiểm tra lại hồ sơ và trả lời bằng văn bản."
SUMMARY = "Đã gọi điện cho công dân, xin lỗi và hẹn kiểm tra lại hồ sơ trong ngày."
RESOLUTION = "Đơn vị đã kiểm tra lại hồ sơ, hồ sơ đủ điều kiện và đã được giải quyết lại."
CORRECTIVE = "Nhắc nhở cán bộ tiếp nhận, quán triệt nêu rõ lý do khi từ chối hồ sơ."
NOTE = "Cấp trên đã kiểm tra, công dân đã được giải quyết dứt điểm nội dung phản ánh."


@pytest.fixture(autouse=True)
def _tasks_in_process_and_own_cache(settings):
    """Notifications (and the beat task called with .delay()) run in the test's process, and the
    one-time-code rate limits count in a cache of this test only (as in tests/notifications),
    also when REDIS_URL points at a real Redis."""
    import uuid

    from portal.celery import app as celery_app

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"complaints-{uuid.uuid4().hex}",
        }
    }
    settings.SMS_BACKEND = "outbox"
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    """As deployed: staff need a verified second factor (tests log them in with login_staff)."""
    settings.BACKOFFICE_OTP_REQUIRED = True


@pytest.fixture
def ministry(db) -> PoliceUnit:
    return PoliceUnit.objects.create(code="BCA", name="Bộ Công an", level="ministry")


@pytest.fixture
def tree(ministry, province_unit, unit):
    """ministry → province_unit → district → commune; and `unit` moved under the ministry's
    province (so `unit` is at depth 3)."""
    province_unit.parent = ministry
    province_unit.save()
    district = PoliceUnit.objects.create(
        code="G19.D1", name="Công an huyện Định Hóa (cũ)", level="district", parent=province_unit
    )
    commune = PoliceUnit.objects.create(
        code="G19.D1.X1", name="Công an xã Định Hóa", level="commune", parent=district
    )
    unit.refresh_from_db()
    return {
        "ministry": ministry,
        "province": province_unit,
        "district": district,
        "commune": commune,
    }


@pytest.fixture
def ministry_supervisor(ministry):
    return make_staff("giamsat.bo", ministry, Role.SUPERVISOR)


@pytest.fixture
def other_province_supervisor(db):
    other = PoliceUnit.objects.create(code="G20", name="Công an tỉnh Lạng Sơn", level="province")
    return make_staff("giamsat.langson", other, Role.SUPERVISOR)


@pytest.fixture
def file_complaint(citizen, unit):
    def _file(*, actor=None, dossier=None, unit=unit, category="refusal_without_reason", **kw):
        from portal.complaints import services

        return services.file_complaint(
            actor=actor or citizen,
            category=category,
            description=kw.pop("description", DESCRIPTION),
            unit=None if dossier else unit,
            dossier=dossier,
            **kw,
        )

    return _file


@pytest.fixture
def advance(supervisor, receiving_officer, unit_leader):
    """advance(complaint, "directed" | "contacted" | "resolved" | "closed") through services."""

    def _advance(complaint, state: str):

        from django.utils import timezone

        from portal.complaints import services

        complaint = services.direct(complaint=complaint, actor=supervisor, instruction=INSTRUCTION)
        if state == "directed":
            return complaint
        complaint = services.contact(
            complaint=complaint,
            actor=receiving_officer,
            contacted_at=timezone.now(),
            channel="phone",
            summary=SUMMARY,
        )
        if state == "contacted":
            return complaint
        complaint = services.resolve(
            complaint=complaint,
            actor=unit_leader,
            resolution=RESOLUTION,
            corrective_action=CORRECTIVE,
        )
        if state == "resolved":
            return complaint
        return services.close(complaint=complaint, actor=supervisor, note=NOTE)

    return _advance


from tests.dossiers.test_browser import (  # noqa: E402, F401 - the Chromium launch fixtures
    _media_url_for_live_server,
    artifacts_dir,
    browser,
)
