"""The notice's refusal rules (§2.1), enforced for real (issue 14): a specific explanation, a
category that applies to the dossier's procedure, no request to come to the office, and the leader
decides every refusal (officers propose)."""

from __future__ import annotations

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.backoffice import services
from portal.backoffice.models import RefusalProposal, RefusalReason, RefusalReview
from portal.dossiers.models import Document, Dossier, State

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def staff_url(code, action=""):
    return f"/api/v1/staff/dossiers/{code}/" + (f"{action}/" if action else "")


def action_url(d, name):
    return reverse("admin:dossiers_dossier_action", args=[d.pk, name])


def _fresh(d) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


def _variants(text: str) -> list[str]:
    """As typed (NFC), decomposed (NFD, some phone keyboards) and without any accent."""
    from portal.core.text import fold

    return [text, unicodedata.normalize("NFD", text), fold(text)]


# --- 1. an explanation names what is missing or which condition fails ------------------------

VAGUE_EXPLANATIONS = [
    "Không đủ điều kiện",
    "Hồ sơ không hợp lệ",
    "không đáp ứng yêu cầu",
    "Không đủ điều kiện theo quy định",
    "Hồ sơ không đủ điều kiện theo quy định của pháp luật",
    "Hồ sơ của công dân không đáp ứng yêu cầu theo quy định hiện hành",
    "Không đủ điều kiện đăng ký thường trú theo quy định",
    "Hồ sơ không hợp lệ, không đủ điều kiện giải quyết",
]
SPECIFIC_EXPLANATIONS = [
    "Hợp đồng thuê nhà chưa được công chứng",
    "Thiếu giấy tờ chứng minh chỗ ở hợp pháp tại số 10 tổ 5",
    "Người kê khai không phải chủ hộ và chưa có ý kiến đồng ý của chủ hộ",
    "Chỗ ở đề nghị đăng ký nằm trong khu vực có quyết định thu hồi đất",
    "Người đề nghị chưa đủ 18 tuổi, thiếu ý kiến đồng ý của cha mẹ",
    "Không đủ điều kiện: thiếu giấy khai sinh của con",
]


@pytest.mark.parametrize("text", VAGUE_EXPLANATIONS)
def test_an_explanation_that_restates_the_failure_is_refused(text):
    for variant in _variants(text):
        with pytest.raises(services.ReasonError) as caught:
            services.clean_refusal_explanation(variant)
        message = caught.value.message
        assert "thiếu giấy tờ nào hoặc điều kiện nào" in message or "chưa đủ cụ thể" in message


@pytest.mark.parametrize("text", SPECIFIC_EXPLANATIONS)
def test_a_specific_explanation_passes(text):
    for variant in (text, unicodedata.normalize("NFD", text)):
        assert services.clean_refusal_explanation(variant)


def test_admin_and_api_refuse_a_vague_explanation(
    make_dossier, staff_client, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    response = staff_client(unit_leader).post(
        action_url(dossier, "refuse"),
        {
            "version": dossier.version,
            "reason_category": refusal_reason.pk,
            "explanation": "Không đủ điều kiện theo quy định",
        },
    )
    assert response.status_code == 200
    assert "thiếu giấy tờ nào hoặc điều kiện nào" in response.content.decode()
    response = api(unit_leader).post(
        staff_url(dossier.code, "refuse"),
        {
            "reason_category": refusal_reason.code,
            "explanation": unicodedata.normalize("NFD", "Hồ sơ không hợp lệ theo quy định"),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "explanation_not_specific"
    assert _fresh(dossier).state == State.RECEIVED


# --- 2. a category applies to the procedures it names ------------------------------------------


def test_default_categories_are_scoped_to_their_procedures(procedure, procedure_level4):
    permanent = RefusalReason.objects.get(code="khong-du-dieu-kien-thuong-tru")
    assert "Điều 20" in permanent.legal_provision
    identity = RefusalReason.objects.get(code="khong-thuoc-truong-hop-cap-can-cuoc")
    absence_codes = {r.code for r in RefusalReason.for_procedure(procedure)}  # tạm vắng
    assert "khong-du-dieu-kien-thuong-tru" not in absence_codes
    assert "khong-thuoc-truong-hop-cap-can-cuoc" not in absence_codes
    assert {"thong-tin-sai-su-that", "khong-thuoc-tham-quyen"} <= absence_codes
    temporary_codes = {r.code for r in RefusalReason.for_procedure(procedure_level4)}  # tạm trú
    assert "khong-du-dieu-kien-tam-tru" in temporary_codes
    assert "khong-du-dieu-kien-thuong-tru" not in temporary_codes
    assert permanent.procedure_codes == ["1.004222", "1.010038"]
    assert identity.field == "identity"


def test_only_the_procedures_categories_are_offered_and_accepted(
    make_dossier, staff_client, unit_leader, receiving_officer
):
    dossier = make_dossier("received")  # khai báo tạm vắng
    permanent = RefusalReason.objects.get(code="khong-du-dieu-kien-thuong-tru")
    page = staff_client(unit_leader).get(action_url(dossier, "refuse")).content.decode()
    assert "Giấy tờ, thông tin kê khai sai sự thật" in page
    assert permanent.title not in page
    assert "thẻ căn cước" not in page
    explanation = "Người kê khai không phải chủ hộ và chưa có ý kiến đồng ý của chủ hộ"
    response = staff_client(unit_leader).post(
        action_url(dossier, "refuse"),
        {"version": dossier.version, "reason_category": permanent.pk, "explanation": explanation},
    )
    assert response.status_code == 200
    assert "không áp dụng cho thủ tục" in response.content.decode()
    for user, action in ((unit_leader, "refuse"), (receiving_officer, "propose_refusal")):
        response = api(user).post(
            staff_url(dossier.code, action),
            {"reason_category": permanent.code, "explanation": explanation},
            format="json",
        )
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "refusal_reason_not_applicable"
    assert _fresh(dossier).state == State.RECEIVED
    listed = api(receiving_officer).get("/api/v1/staff/refusal-reasons/", {"dossier": dossier.code})
    codes = {r["code"] for r in listed.json()}
    assert "thong-tin-sai-su-that" in codes and permanent.code not in codes


# --- 3. no request to come to the office instead of finishing online ---------------------------

COME_TO_THE_OFFICE = [
    "Mời ông đến cơ quan công an gặp cán bộ để làm rõ nơi ở.",
    "Đề nghị bà lên trụ sở để giải trình.",
    "Anh/chị vui lòng có mặt tại Công an xã trong giờ hành chính.",
    "Công dân đến trực tiếp để làm việc với cán bộ tiếp nhận.",
    "Đề nghị ông ra công an phường xác minh.",
    "Mang hồ sơ đến để cán bộ kiểm tra.",
    "Đề nghị công dân nộp hồ sơ trực tiếp tại bộ phận một cửa.",
    "Công dân trực tiếp đến Công an xã để giải quyết.",
    "Vui lòng mang bản chính giấy tờ lên Công an phường để đối chiếu.",
    "Yêu cầu ông tới trụ sở Công an xã Định Hóa.",
    "Đề nghị chị ghé Công an xã trong giờ hành chính.",
    "Anh liên hệ gặp trực tiếp cán bộ tiếp nhận.",
    "Nộp lại bản giấy tại trụ sở.",
    "Mời bà đến Ủy ban nhân dân xã làm thủ tục.",
    "Ông cần có mặt trực tiếp để ký xác nhận.",
    "Đề nghị đến bộ phận tiếp nhận nộp bổ sung.",
    "Đến trụ sở nhận kết quả và nộp bổ sung bản chính.",
    "Đem giấy tờ tới Công an huyện.",
    "Làm thủ tục tại cơ quan công an nơi cư trú.",
]
LEGITIMATE = [
    "Bổ sung bản sao giấy khai sinh có chứng thực, tải lên bản chụp rõ nét.",
    # collecting the RESULT in person is a return method the citizen chooses (notice §2.2)
    "Đến trụ sở Công an xã nhận kết quả theo giấy hẹn.",
    "Hợp đồng thuê nhà chưa có chữ ký của bên cho thuê.",
    "Tải lên ảnh chụp hai mặt thẻ căn cước.",
    "Địa chỉ đến tạm trú không thuộc địa bàn Công an xã Định Hóa.",
    "Hồ sơ đã được chuyển đến Công an tỉnh Thái Nguyên theo thẩm quyền.",
    "Kết quả được gửi đến địa chỉ của ông qua bưu chính công ích.",
    "Tải lên văn bản đồng ý của chủ hộ qua ứng dụng VNeID.",
    "Nơi đến tạm vắng là số 10 phố Huế, Hà Nội.",
    "Giấy tờ chứng minh chỗ ở hợp pháp đã hết hạn ngày 01/01/2025.",
    "Chỗ ở thuộc địa bàn do Công an phường Phan Đình Phùng quản lý.",
    "Người kê khai chưa đến tuổi thành niên, cần ý kiến của người giám hộ.",
]


@pytest.mark.parametrize("text", COME_TO_THE_OFFICE)
def test_every_way_of_asking_to_come_in_is_caught(text):
    for variant in _variants(text) + [text.upper()]:
        assert services.demands_in_person_filing(variant), variant


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_texts_pass(text):
    for variant in _variants(text):
        assert not services.demands_in_person_filing(variant), variant


def test_refusal_and_supplement_guidance_cannot_ask_to_come_in(
    make_dossier, unit_leader, receiving_officer, refusal_reason
):
    dossier = make_dossier("received")
    response = api(unit_leader).post(
        staff_url(dossier.code, "refuse"),
        {
            "reason_category": refusal_reason.code,
            "explanation": "Hợp đồng thuê nhà giả mạo. Mời ông đến cơ quan công an gặp cán bộ.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "in_person_demand"
    item = {"document": "Hợp đồng thuê nhà", "copy_kind": "original", "problem": "Chữ ký bị mờ"}
    response = api(receiving_officer).post(
        staff_url(dossier.code, "request_supplement"),
        {"items": [item], "guidance": "Anh/chị vui lòng có mặt tại Công an xã để bổ sung."},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "in_person_demand"
    bad_item = {**item, "problem": "Đề nghị bà lên trụ sở xuất trình bản chính"}
    response = api(receiving_officer).post(
        staff_url(dossier.code, "request_supplement"),
        {"items": [bad_item], "guidance": "Tải lên bản chụp rõ nét qua trang hồ sơ."},
        format="json",
    )
    assert response.status_code == 400
    assert _fresh(dossier).state == State.RECEIVED


# --- 4. the officer proposes, the leader decides and signs the CT06 ---------------------------


def test_an_officer_cannot_refuse_alone(make_dossier, receiving_officer, refusal_reason):
    dossier = make_dossier("received")
    response = api(receiving_officer).post(
        staff_url(dossier.code, "refuse"),
        {
            "reason_category": refusal_reason.code,
            "explanation": "Hợp đồng thuê nhà đã hết hạn từ ngày 01/01/2025.",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "leader_required"
    assert _fresh(dossier).state == State.RECEIVED
    assert not RefusalReview.objects.exists()


def test_proposal_goes_to_the_leader_who_approves_and_signs_the_ct06(
    make_dossier, staff_client, receiving_officer, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    explanation = "Tờ khai CT01 ghi chủ hộ là Nguyễn Văn B, khác với dữ liệu cư trú."
    response = staff_client(receiving_officer).post(
        action_url(dossier, "propose_refusal"),
        {
            "version": dossier.version,
            "reason_category": refusal_reason.pk,
            "explanation": explanation,
            "documents": ["to-khai"],
        },
    )
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.RECEIVED  # nothing refused yet
    proposal = RefusalProposal.objects.get(dossier=dossier)
    assert proposal.status == RefusalProposal.Status.PENDING
    assert proposal.documents == ["Tờ khai thay đổi thông tin cư trú (CT01)"]
    # a second proposal waits for the first one to be decided
    again = api(receiving_officer).post(
        staff_url(dossier.code, "propose_refusal"),
        {"reason_category": refusal_reason.code, "explanation": explanation},
        format="json",
    )
    assert again.status_code == 409
    # the leader's queue lists it; the officer cannot decide it
    leader = staff_client(unit_leader)
    queue = leader.get(reverse("admin:dossiers_dossier_changelist") + "?queue=refusal_proposed")
    assert dossier.code in queue.content.decode()
    listed = api(unit_leader).get("/api/v1/staff/dossiers/", {"queue": "refusal_proposed"})
    assert [d["code"] for d in listed.json()["results"]] == [dossier.code]
    assert "decide_refusal" in listed.json()["results"][0]["allowed_actions"]
    denied = api(receiving_officer).post(
        staff_url(dossier.code, "decide_refusal"), {"decision": "approve"}, format="json"
    )
    assert denied.status_code == 403
    page = leader.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert explanation in page.content.decode()
    detail = api(unit_leader).get(staff_url(dossier.code)).json()
    assert detail["refusal_proposal"]["explanation"] == explanation
    assert detail["refusal_proposal"]["proposed_by"] == receiving_officer.username
    response = leader.post(
        action_url(dossier, "decide_refusal"),
        {"version": fresh.version, "decision": "approve", "note": ""},
    )
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.REFUSED
    proposal.refresh_from_db()
    assert proposal.status == RefusalProposal.Status.APPROVED
    assert proposal.decided_by == unit_leader
    refusal = fresh.events.get(action="refuse")
    assert refusal.actor == unit_leader
    ct06 = fresh.documents.get(kind=Document.Kind.REFUSAL)
    assert ct06.context["signer_name"] == unit_leader.full_name
    assert ct06.context["signer_title"].startswith("Thủ trưởng")
    assert ct06.context["documents_concerned"] == ["Tờ khai thay đổi thông tin cư trú (CT01)"]
    assert RefusalReview.objects.get(dossier=dossier).refused_by == unit_leader


def test_the_ct06_prints_the_leader_and_the_documents(
    make_dossier, unit_leader, receiving_officer, refusal_reason
):
    from portal.dossiers import services as engine

    dossier = make_dossier("received")
    services.propose_refusal(
        dossier=dossier,
        actor=receiving_officer,
        reason_category=refusal_reason,
        explanation="Tờ khai CT01 ghi chủ hộ là Nguyễn Văn B, khác với dữ liệu cư trú.",
        documents=["to-khai"],
    )
    services.decide_refusal(dossier=dossier, actor=unit_leader, decision="approve")
    ct06 = _fresh(dossier).documents.get(kind=Document.Kind.REFUSAL)
    ct06 = engine.render_document(document_id=ct06.pk)
    assert ct06.status == Document.Status.READY
    from pypdf import PdfReader

    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(ct06.file.open("rb")).pages
    )
    assert unit_leader.full_name in text
    assert "Giấy tờ liên quan" in text and "(CT01)" in text
    assert "(Đã ký)" in text


def test_the_leader_can_send_a_proposal_back(
    make_dossier, receiving_officer, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    services.propose_refusal(
        dossier=dossier,
        actor=receiving_officer,
        reason_category=refusal_reason,
        explanation="Hợp đồng thuê nhà đã hết hạn từ ngày 01/01/2025.",
    )
    vague = api(unit_leader).post(
        staff_url(dossier.code, "decide_refusal"),
        {"decision": "return", "note": "ok"},
        format="json",
    )
    assert vague.status_code == 400
    response = api(unit_leader).post(
        staff_url(dossier.code, "decide_refusal"),
        {
            "decision": "return",
            "note": "Hợp đồng có phụ lục gia hạn đến năm 2027, đề nghị kiểm tra lại trang 3.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.RECEIVED
    assert RefusalProposal.objects.get().status == RefusalProposal.Status.RETURNED
    # the officer may propose again; the citizen's timeline shows none of this internal exchange
    officer_view = api(receiving_officer).get(staff_url(dossier.code)).json()
    assert "propose_refusal" in officer_view["allowed_actions"]
    citizen_view = Client()
    citizen_view.force_login(dossier.citizen)
    detail = citizen_view.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert not any("refusal" in e["action"] for e in detail["history"])
