"""Citizen pages (/phan-anh/, the dossier page's box), the anonymous path with phone
verification, and the admin: scoped lists with repeats highlighted, decision forms that demand
the required text, the refusal review list's "reopen", low ratings beside the dossier."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxSms
from portal.complaints import services
from portal.complaints.models import Complaint, ComplaintState, SatisfactionRating
from portal.dossiers.models import State
from tests.complaints.conftest import DESCRIPTION, INSTRUCTION, RESOLUTION

pytestmark = pytest.mark.django_db
ADMIN = "/admin/complaints/complaint/"


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_header_and_dossier_page_offer_the_complaint_channel(make_dossier, citizen):
    dossier = make_dossier("refused")
    client = logged(citizen)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'href="/phan-anh/"' in page
    assert "Phản ánh về hồ sơ này" in page and f"/phan-anh/gui/?ho_so={dossier.code}" in page
    assert "Đánh giá mức độ hài lòng" not in page  # no result returned yet


def test_a_citizen_complains_about_a_dossier_on_the_pages(make_dossier, citizen, pdf_bytes, upload):
    dossier = make_dossier("refused")
    client = logged(citizen)
    form = client.get(f"/phan-anh/gui/?ho_so={dossier.code}")
    assert form.status_code == 200 and dossier.code in form.content.decode()
    vague = client.post(
        "/phan-anh/gui/", {"ho_so": dossier.code, "category": "other", "description": "tệ quá"}
    )
    assert vague.status_code == 400 and "cụ thể" in vague.content.decode()
    response = client.post(
        "/phan-anh/gui/",
        {
            "ho_so": dossier.code,
            "category": "refusal_without_reason",
            "description": DESCRIPTION,
            "files": [upload("anh-chup.pdf", pdf_bytes)],
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{complaint.pk}/"
    assert complaint.dossier == dossier and complaint.attachments.count() == 1
    page = client.get(f"/phan-anh/{complaint.pk}/").content.decode()
    assert complaint.code in page and "Gửi phản ánh" in page and "Công an tỉnh Thái Nguyên" in page
    attachment = complaint.attachments.get()
    download = client.get(f"/phan-anh/{complaint.pk}/tep/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
    listing = client.get("/phan-anh/").content.decode()
    assert complaint.code in listing


def test_other_people_get_404(file_complaint, other_citizen, receiving_officer):
    complaint = file_complaint()
    assert logged(other_citizen).get(f"/phan-anh/{complaint.pk}/").status_code == 404
    assert Client().get(f"/phan-anh/{complaint.pk}/").status_code == 404
    assert logged(receiving_officer).get(f"/phan-anh/{complaint.pk}/").status_code == 403
    assert logged(other_citizen).get("/phan-anh/gui/?ho_so=NOPE").status_code == 404


def test_the_citizen_confirms_or_reopens_on_the_page(file_complaint, advance, citizen):
    complaint = advance(file_complaint(), "resolved")
    client = logged(citizen)
    page = client.get(f"/phan-anh/{complaint.pk}/").content.decode()
    assert RESOLUTION in page and "Xác nhận đã được giải quyết" in page
    bad = client.post(f"/phan-anh/{complaint.pk}/mo-lai/", {"reason": "không"})
    assert bad.status_code == 400
    reopened = client.post(
        f"/phan-anh/{complaint.pk}/mo-lai/", {"reason": "Đơn vị chưa trả lại hồ sơ cho tôi."}
    )
    assert reopened.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED
    complaint = advance(complaint, "resolved")
    client.post(f"/phan-anh/{complaint.pk}/xac-nhan/")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CLOSED
    page = client.get(f"/phan-anh/{complaint.pk}/").content.decode()
    for label in ("Công dân mở lại phản ánh", "Công dân xác nhận đã được giải quyết"):
        assert label in page
    assert "Cán bộ giamsat" not in page  # the citizen sees units, never officers' names


def test_the_anonymous_path_with_phone_verification(unit, django_capture_on_commit_callbacks):
    client = Client()
    start = client.get("/phan-anh/gui/")
    assert start.status_code == 302 and start["Location"].startswith("/phan-anh/xac-minh/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/phan-anh/xac-minh/?next=/phan-anh/gui/", {"action": "send", "phone": "0911222555"}
        )
    assert sent.status_code == 200 and "+84911222555" in sent.content.decode()
    wrong = client.post("/phan-anh/xac-minh/", {"action": "verify", "code": "abcdef"})
    assert wrong.status_code != 302
    sms = OutboxSms.objects.filter(phone="+84911222555").order_by("-pk").first()
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    ok = client.post(
        "/phan-anh/xac-minh/", {"action": "verify", "code": code, "next": "/phan-anh/gui/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/phan-anh/gui/"
    response = client.post(
        "/phan-anh/gui/",
        {
            "category": "staff_conduct",
            "unit": unit.pk,
            "description": DESCRIPTION,
            "name": "Lê Văn Cường",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert complaint.citizen is None and complaint.phone == "+84911222555"
    assert client.get(f"/phan-anh/{complaint.pk}/").status_code == 200
    assert complaint.code in client.get("/phan-anh/").content.decode()
    # another browser without the verified phone sees nothing
    assert Client().get(f"/phan-anh/{complaint.pk}/").status_code == 404


def test_rating_on_the_dossier_page_once(make_dossier, citizen):
    dossier = make_dossier("result_returned")
    client = logged(citizen)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Đánh giá mức độ hài lòng" in page and f"/phan-anh/danh-gia/{dossier.code}/" in page
    client.post(f"/phan-anh/danh-gia/{dossier.code}/", {"score": "2", "comment": "Chậm"})
    client.post(f"/phan-anh/danh-gia/{dossier.code}/", {"score": "5"})
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment) == (2, "Chậm")
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Ông/Bà đã đánh giá 2/5" in page and 'name="score"' not in page


# --- admin ---------------------------------------------------------------------------------------


def test_admin_lists_are_scoped_and_repeats_highlighted(
    file_complaint, staff_client, supervisor, receiving_officer, other_unit_officer, other_unit
):
    first = file_complaint()
    repeat = file_complaint()
    elsewhere = file_complaint(unit=other_unit, category="staff_conduct")
    page = staff_client(supervisor).get(ADMIN).content.decode()
    assert all(c.code in page for c in (first, repeat, elsewhere))
    assert page.count('class="pa-repeat"') == 1
    page = staff_client(receiving_officer).get(ADMIN).content.decode()
    assert first.code in page and elsewhere.code not in page
    other = staff_client(other_unit_officer)
    assert other.get(f"{ADMIN}{first.pk}/change/").status_code == 404
    assert other.get(f"{ADMIN}{first.pk}/thao-tac/contact/").status_code == 404
    repeat_page = staff_client(supervisor).get(f"{ADMIN}{repeat.pk}/change/").content.decode()
    assert 'id="pa-repeat"' in repeat_page


def test_admin_list_queries_do_not_grow(file_complaint, staff_client, supervisor, other_unit):
    client = staff_client(supervisor)
    file_complaint()
    client.get(ADMIN)
    with CaptureQueriesContext(connection) as few:
        client.get(ADMIN)
    for i in range(8):
        file_complaint(unit=other_unit, category="other", description=DESCRIPTION + f" ({i})")
    with CaptureQueriesContext(connection) as many:
        client.get(ADMIN)
    assert len(many) == len(few)


def test_admin_decisions_demand_text_and_follow_the_roles(
    file_complaint, staff_client, supervisor, receiving_officer, unit_leader
):
    complaint = file_complaint()
    sup = staff_client(supervisor)
    page = sup.get(f"{ADMIN}{complaint.pk}/change/").content.decode()
    assert 'data-action="direct"' in page and 'data-action="contact"' not in page
    url = f"{ADMIN}{complaint.pk}/thao-tac/direct/"
    vague = sup.post(
        url, {"version": complaint.version, "instruction": "xem lại", "response_hours": 8}
    )
    assert vague.status_code == 200 and "cụ thể" in vague.content.decode()
    ok = sup.post(
        url, {"version": complaint.version, "instruction": INSTRUCTION, "response_hours": 8}
    )
    assert ok.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.DIRECTED
    # a stale form (someone else acted) is refused
    stale = sup.post(url, {"version": 0, "instruction": INSTRUCTION, "response_hours": 8})
    assert stale.status_code == 302
    officer = staff_client(receiving_officer)
    page = officer.get(f"{ADMIN}{complaint.pk}/change/").content.decode()
    assert 'data-action="contact"' in page and 'data-action="resolve"' not in page
    response = officer.post(
        f"{ADMIN}{complaint.pk}/thao-tac/contact/",
        {
            "version": complaint.version,
            "contacted_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "channel": "phone",
            "summary": "Đã gọi điện, công dân đồng ý hẹn làm lại hồ sơ vào sáng mai.",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CONTACTED
    leader = staff_client(unit_leader)
    empty = leader.post(
        f"{ADMIN}{complaint.pk}/thao-tac/resolve/",
        {"version": complaint.version, "resolution": RESOLUTION, "corrective_action": ""},
    )
    assert empty.status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CONTACTED


def test_reopen_a_refused_dossier_from_the_refusal_review_list(
    make_dossier, staff_client, supervisor, receiving_officer, refusal_reason, other_unit_officer
):
    from portal.backoffice import services as backoffice
    from portal.backoffice.models import RefusalReview

    dossier = make_dossier("received")
    backoffice.refuse(
        dossier=dossier,
        actor=receiving_officer,
        reason_category=refusal_reason,
        explanation="Người yêu cầu không thuộc trường hợp phải khai báo tạm vắng.",
    )
    review = RefusalReview.objects.get()
    sup = staff_client(supervisor)
    listing = sup.get("/admin/backoffice/refusalreview/").content.decode()
    url = f"/admin/backoffice/refusalreview/{review.pk}/mo-lai-ho-so/"
    assert url in listing
    assert (
        url
        not in staff_client(receiving_officer)
        .get("/admin/backoffice/refusalreview/")
        .content.decode()
    )
    assert staff_client(other_unit_officer).get(url).status_code == 404
    vague = sup.post(url, {"target": "received", "reason": "mở"})
    assert vague.status_code == 200
    done = sup.post(
        url, {"target": "received", "reason": "Hồ sơ đủ điều kiện, đề nghị giải quyết lại ngay."}
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    review.refresh_from_db()
    assert dossier.state == State.RECEIVED
    assert review.outcome == RefusalReview.Outcome.CHALLENGED and review.reviewed_by == supervisor
    event = dossier.events.order_by("-pk").first()
    assert event.action == "reopen" and event.details["refusal_review"] == review.pk
    assert url not in sup.get("/admin/backoffice/refusalreview/").content.decode()


def test_low_ratings_appear_beside_the_dossier_for_the_supervisor(
    make_dossier, citizen, staff_client, supervisor, other_province_supervisor
):
    dossier = make_dossier("result_returned")
    services.rate_dossier(dossier=dossier, actor=citizen, score=1, comment="Phải đi lại ba lần")
    sup = staff_client(supervisor)
    listing = sup.get("/admin/complaints/satisfactionrating/?thap=1").content.decode()
    assert dossier.code in listing and 'class="pa-low"' in listing
    page = sup.get(f"/admin/dossiers/dossier/{dossier.pk}/change/").content.decode()
    assert 'id="pa-rating" class="pa-low"' in page and "Phải đi lại ba lần" in page
    other = staff_client(other_province_supervisor)
    assert dossier.code not in other.get("/admin/complaints/satisfactionrating/").content.decode()
