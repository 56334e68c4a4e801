"""Audit of issue 4: unit isolation through every API action and the review/contact admin pages,
supervisors read-only for every decision, the filters and search of the dossier list, the time
waited with its warning, and the supervisors' review list fed by refusals made in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.backoffice.api import ACTION_INPUTS
from portal.backoffice.models import ContactLog, RefusalReview
from portal.dossiers.models import Dossier, State

from .test_admin import CHANGELIST, action_url, bulk_dossiers, change_url

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(ACTION_INPUTS))
def test_every_api_action_on_another_units_dossier_is_a_404(
    make_dossier, other_unit_officer, action
):
    dossier = make_dossier("received")
    before = Dossier.objects.get(pk=dossier.pk)
    response = api(other_unit_officer).post(
        f"/api/v1/staff/dossiers/{dossier.code}/{action}/", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.state, after.version) == (before.state, before.version)


def test_api_detail_of_another_units_dossier_is_a_404(make_dossier, other_unit_officer):
    dossier = make_dossier("submitted")
    response = api(other_unit_officer).get(f"/api/v1/staff/dossiers/{dossier.code}/")
    assert response.status_code == 404
    assert dossier.code not in response.content.decode()


def test_supervisor_api_sees_subtree_but_every_decision_is_refused(make_dossier, supervisor):
    dossier = make_dossier("received")
    client = api(supervisor)
    listing = client.get("/api/v1/staff/dossiers/").json()["results"]
    assert [d["code"] for d in listing] == [dossier.code]
    assert listing[0]["allowed_actions"] == []
    for action in ("start_processing", "request_supplement", "refuse", "assign", "contact"):
        response = client.post(
            f"/api/v1/staff/dossiers/{dossier.code}/{action}/",
            {
                "items": [
                    {"document": "Tờ khai CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}
                ],
                "guidance": "Ký và tải lên lại tờ khai CT01 bản chụp rõ nét.",
                "reason_category": "khong-thuoc-tham-quyen",
                "explanation": "Nơi cư trú thuộc địa bàn xã khác, không thuộc thẩm quyền.",
                "officer": supervisor.username,
                "contacted_at": timezone.now().isoformat(),
                "channel": "phone",
                "outcome": "reached",
                "note": "Công dân chọn nhận kết quả trực tiếp tại trụ sở.",
            },
            format="json",
        )
        assert response.status_code in (400, 403), (action, response.json())
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.state == State.RECEIVED and fresh.version == dossier.version
    assert not ContactLog.objects.exists()


def test_supervisor_admin_is_read_only_for_every_decision(make_dossier, staff_client, supervisor):
    dossier = make_dossier("received")
    client = staff_client(supervisor)
    for name in ("verify", "request_supplement", "refuse", "assign", "start_processing", "stop"):
        response = client.post(action_url(dossier, name), {"version": dossier.version})
        assert response.status_code == 302, name
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.state == State.RECEIVED and fresh.version == dossier.version


def test_review_and_contact_pages_of_another_unit_are_404(
    make_dossier, staff_client, receiving_officer, unit_leader, other_unit_officer, refusal_reason
):
    from portal.backoffice import services

    refused = make_dossier("received")
    services.refuse(
        dossier=refused,
        actor=unit_leader,
        reason_category=refusal_reason,
        explanation="Chỗ ở nằm trong khu vực đã có quyết định thu hồi đất.",
    )
    review = RefusalReview.objects.get(dossier=refused)
    approved = make_dossier("approved")
    log = services.record_contact(
        dossier=approved,
        actor=receiving_officer,
        contacted_at=timezone.now(),
        channel="phone",
        outcome="reached",
        note="Công dân chọn nhận kết quả trực tiếp tại trụ sở.",
    )
    outsider = staff_client(other_unit_officer)
    own = staff_client(receiving_officer)
    for model, pk in (("refusalreview", review.pk), ("contactlog", log.pk)):
        for view in ("change", "history", "delete"):
            url = reverse(f"admin:backoffice_{model}_{view}", args=[pk])
            assert outsider.get(url).status_code == 404, (model, view)
        assert own.get(reverse(f"admin:backoffice_{model}_change", args=[pk])).status_code == 200
        listing = outsider.get(reverse(f"admin:backoffice_{model}_changelist"))
        assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    assert outsider.get(reverse("admin:backoffice_contactlog_change", args=["x"])).status_code == (
        404
    )


# --- the supervisors' review list --------------------------------------------------------------


def test_refusal_in_the_admin_lands_in_the_supervisors_review_list(
    make_dossier, staff_client, unit_leader, supervisor, refusal_reason
):
    dossier = make_dossier("received")
    staff_client(unit_leader).post(
        action_url(dossier, "refuse"),
        {
            "version": Dossier.objects.get(pk=dossier.pk).version,
            "reason_category": refusal_reason.pk,
            "explanation": "Chỗ ở nằm trong khu vực đã có quyết định thu hồi đất.",
        },
    )
    client = staff_client(supervisor)
    index = client.get(reverse("admin:index")).content.decode()
    assert 'data-queue="reviews">1<' in index
    listing = client.get(
        reverse("admin:backoffice_refusalreview_changelist") + "?outcome__exact=pending"
    )
    reviews = list(listing.context["cl"].result_list)
    assert [r.dossier.code for r in reviews] == [dossier.code]
    url = reverse("admin:backoffice_refusalreview_change", args=[reviews[0].pk])
    # a vague opinion and a still-pending outcome are refused with a message; nothing saved
    response = client.post(url, {"outcome": "pending", "review_note": "ok"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Chọn kết quả xem xét." in body and "chưa đủ cụ thể" in body
    assert RefusalReview.objects.get().outcome == RefusalReview.Outcome.PENDING
    response = client.post(
        url,
        {
            "outcome": "upheld",
            "review_note": "Đúng quy định: địa chỉ thuộc khu vực đã có quyết định thu hồi đất.",
        },
    )
    assert response.status_code == 302
    review = RefusalReview.objects.get()
    assert review.outcome == RefusalReview.Outcome.UPHELD and review.reviewed_by == supervisor
    assert 'data-queue="reviews">0<' in client.get(reverse("admin:index")).content.decode()


# --- list: filters, search, time waited -------------------------------------------------------


def _codes(response) -> list[str]:
    return sorted(d.code for d in response.context["cl"].result_list)


def test_filters_by_procedure_level_state_and_due_date(
    staff_client, receiving_officer, make_dossier, procedure_level4, citizen, unit, area
):
    level3 = make_dossier("submitted")
    received = make_dossier("received")
    Dossier.objects.filter(pk=received.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    bulk_dossiers(1, unit=unit, procedure=procedure_level4, citizen=citizen, area=area)
    level4_code = f"BULK-{unit.code}-00000"
    Dossier.objects.filter(code=level4_code).update(due_at=timezone.now() + dt.timedelta(days=5))
    client = staff_client(receiving_officer)
    everything = client.get(reverse(CHANGELIST))
    assert _codes(everything) == sorted([level3.code, received.code, level4_code])
    by_procedure = client.get(reverse(CHANGELIST), {"procedure__id__exact": procedure_level4.pk})
    assert _codes(by_procedure) == [level4_code]
    assert _codes(client.get(reverse(CHANGELIST), {"level": "4"})) == [level4_code]
    assert _codes(client.get(reverse(CHANGELIST), {"level": "3"})) == sorted(
        [level3.code, received.code]
    )
    assert _codes(client.get(reverse(CHANGELIST), {"state__exact": "received"})) == [received.code]
    assert _codes(client.get(reverse(CHANGELIST), {"due": "overdue"})) == [received.code]
    due_this_week = _codes(client.get(reverse(CHANGELIST), {"due": "week"}))
    assert level4_code in due_this_week and received.code not in due_this_week
    overdue_page = client.get(reverse(CHANGELIST), {"queue": "overdue"})
    assert _codes(overdue_page) == [received.code]
    assert "bo-overdue" in overdue_page.content.decode()


def test_search_by_code_name_and_personal_number(
    staff_client, receiving_officer, make_dossier, other_citizen, citizen
):
    mine = make_dossier("submitted")
    theirs = make_dossier("submitted", citizen=other_citizen)
    client = staff_client(receiving_officer)

    def search(term):
        return _codes(client.get(reverse(CHANGELIST), {"q": term}))

    assert search(mine.code) == [mine.code]
    assert search(mine.code.lower()) == [mine.code]
    assert search(mine.code.split("-")[-1]) == [mine.code]  # the tail of a code
    assert search(other_citizen.personal_id) == [theirs.code]
    assert search(other_citizen.full_name.split()[-1]) == [theirs.code]
    assert search("000000000000") == []
    api_hits = api(receiving_officer).get("/api/v1/staff/dossiers/", {"q": citizen.personal_id})
    assert [d["code"] for d in api_hits.json()["results"]] == [mine.code]


def test_time_waited_warns_past_the_next_reception_session(
    staff_client, receiving_officer, unit, procedure, citizen, area
):
    bulk_dossiers(2, unit=unit, procedure=procedure, citizen=citizen, area=area)
    now = timezone.now()
    late_code, fresh_code = f"BULK-{unit.code}-00001", f"BULK-{unit.code}-00000"
    Dossier.objects.filter(code=late_code).update(
        submitted_at=now - dt.timedelta(days=4), received_at=now - dt.timedelta(days=4)
    )
    Dossier.objects.filter(code=fresh_code).update(submitted_at=now, received_at=now)
    response = staff_client(receiving_officer).get(reverse(CHANGELIST), {"queue": "reception"})
    rows = response.content.decode().split("<tr")
    late_row = next(r for r in rows if late_code in r)
    fresh_row = next(r for r in rows if fresh_code in r)
    assert "bo-reception-late" in late_row and "4 ngày" in late_row
    assert "bo-reception-late" not in fresh_row
    assert _codes(response) == sorted([late_code, fresh_code])
    assert [d.code for d in response.context["cl"].result_list] == [late_code, fresh_code]


def test_dossier_page_previews_attachments_through_the_checked_view(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("submitted")
    attachment = dossier.attachments.get()
    page = staff_client(receiving_officer).get(change_url(dossier)).content.decode()
    preview = reverse("admin:dossiers_dossier_attachment", args=[dossier.pk, attachment.pk])
    assert preview in page
    assert "/media/" not in page  # never a direct storage URL
    # a citizen's PDF is offered as a download through that view, never embedded in the page
    assert f'href="{preview}" download' in page
    assert f'src="{preview}"' not in page and f'data="{preview}"' not in page


# --- no refusal that means "come in person" (notice §2.1) --------------------------------------


def test_refusal_cannot_tell_the_citizen_to_file_in_person(
    make_dossier, staff_client, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    response = staff_client(unit_leader).post(
        action_url(dossier, "refuse"),
        {
            "version": Dossier.objects.get(pk=dossier.pk).version,
            "reason_category": refusal_reason.pk,
            "explanation": "Mời công dân đến trực tiếp trụ sở Công an xã để nộp hồ sơ bản giấy.",
        },
    )
    assert response.status_code == 200
    assert "Không được yêu cầu công dân đến cơ quan" in response.content.decode()
    response = api(unit_leader).post(
        f"/api/v1/staff/dossiers/{dossier.code}/refuse/",
        {
            "reason_category": refusal_reason.code,
            "explanation": "Đề nghị công dân nộp hồ sơ trực tiếp tại trụ sở Công an xã.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "in_person_demand"
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED
    assert not RefusalReview.objects.exists()


def test_no_refusal_category_may_mean_come_in_person(db, staff_client, unit):
    from portal.accounts.models import User
    from portal.backoffice.models import RefusalReason

    admin_user = User.objects.create_superuser(
        username="quantri", password="Mat-khau-rat-kho-2024", kind=User.Kind.STAFF, unit=unit
    )
    response = staff_client(admin_user).post(
        reverse("admin:backoffice_refusalreason_add"),
        {
            "code": "moi-den-truc-tiep",
            "title": "Đề nghị công dân đến trực tiếp để nộp hồ sơ",
            "legal_provision": "Điều 19 Nghị định 61/2018/NĐ-CP",
            "description": "",
            "is_active": "on",
            "position": 9,
        },
    )
    assert response.status_code == 200
    assert "đến nộp trực tiếp" in response.content.decode()
    assert not RefusalReason.objects.filter(code="moi-den-truc-tiep").exists()
    codes = set(RefusalReason.objects.values_list("title", flat=True))
    from portal.backoffice.services import demands_in_person_filing

    assert codes and not any(demands_in_person_filing(title) for title in codes)
