"""Admin: calendar overrides and office hours (the inline the police unit admin will use)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.forms import inlineformset_factory

from portal.units.models import PoliceUnit
from portal.workcalendar.admin import OfficeHoursFormSet, OfficeHoursInline
from portal.workcalendar.models import CalendarOverride, OfficeHours

pytestmark = pytest.mark.django_db


def test_calendar_override_admin_lists_and_adds(admin_client):
    CalendarOverride.objects.create(
        date=dt.date(2025, 10, 11), kind=CalendarOverride.Kind.WORKED_DAY, note="Làm bù"
    )
    response = admin_client.get("/admin/workcalendar/calendaroverride/")
    assert response.status_code == 200
    assert "Thứ Bảy" in response.content.decode()
    response = admin_client.post(
        "/admin/workcalendar/calendaroverride/add/",
        {"date": "2025-10-13", "kind": "day_off", "note": "Nghỉ bổ sung"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarOverride.objects.get(date=dt.date(2025, 10, 13)).kind == "day_off"
    # one override per date
    response = admin_client.post(
        "/admin/workcalendar/calendaroverride/add/", {"date": "2025-10-13", "kind": "worked_day"}
    )
    assert response.status_code == 200
    assert CalendarOverride.objects.count() == 2


def test_office_hours_admin_refuses_closing_before_opening(admin_client, make_unit):
    unit = make_unit()
    response = admin_client.post(
        "/admin/workcalendar/officehours/add/",
        {"unit": unit.pk, "weekday": 0, "opens": "17:00", "closes": "07:30", "kind": "working"},
    )
    assert response.status_code == 200
    assert "Giờ kết thúc phải sau giờ bắt đầu" in response.content.decode()
    assert not OfficeHours.objects.exists()


def _formset(unit, rows):
    FormSet = inlineformset_factory(
        PoliceUnit, OfficeHours, formset=OfficeHoursFormSet, fields=OfficeHoursInline.fields
    )
    data = {
        "office_hours-TOTAL_FORMS": str(len(rows)),
        "office_hours-INITIAL_FORMS": "0",
        "office_hours-MIN_NUM_FORMS": "0",
        "office_hours-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, opens, closes, kind) in enumerate(rows):
        data |= {
            f"office_hours-{i}-weekday": str(weekday),
            f"office_hours-{i}-opens": opens,
            f"office_hours-{i}-closes": closes,
            f"office_hours-{i}-kind": kind,
        }
    return FormSet(data, instance=unit, prefix="office_hours")


def test_inline_refuses_overlapping_sessions_on_the_same_day(make_unit):
    unit = make_unit()
    overlapping = _formset(
        unit, [(0, "07:30", "11:30", "working"), (0, "11:00", "17:00", "working")]
    )
    assert not overlapping.is_valid()
    assert "chồng lên nhau" in str(overlapping.non_form_errors())
    fine = _formset(
        unit,
        [
            (0, "07:30", "11:30", "working"),
            (0, "11:30", "17:00", "working"),
            (5, "07:30", "11:00", "reception_only"),
        ],
    )
    assert fine.is_valid(), fine.errors
    fine.save()
    assert unit.office_hours.count() == 3


def test_inline_is_importable_for_the_units_admin():
    assert issubclass(OfficeHoursInline, admin.TabularInline)
    assert OfficeHoursInline.model is OfficeHours


def test_officer_sees_only_own_unit_hours_and_cannot_edit(client, make_unit):
    from django.contrib.auth import get_user_model

    from portal.accounts.models import StaffRole

    own = make_unit(
        code="OWN", name="Công an xã Định Hóa", sessions=[(0, "07:00", "11:00", "working")]
    )
    other = make_unit(
        code="OTHER", name="Công an xã Khác", sessions=[(1, "08:00", "09:00", "working")]
    )
    user = get_user_model().objects.create_user(
        username="canbo", password="x", is_staff=True, kind="staff", unit=own
    )
    StaffRole.objects.create(user=user, role="receiving_officer")
    client.force_login(user)
    response = client.get("/admin/workcalendar/officehours/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Công an xã Định Hóa" in page and "Công an xã Khác" not in page
    row = other.office_hours.get()
    assert client.get(f"/admin/workcalendar/officehours/{row.pk}/change/").status_code in (302, 404)
    response = client.post(
        "/admin/workcalendar/calendaroverride/add/", {"date": "2025-10-13", "kind": "day_off"}
    )
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()
