"""The staff screens as an officer reads them all day (issue 14): the assign list names handling
officers with role and username, the return form starts from the citizen's choice and offers only
what the procedure allows, history rows show their items (never empty "• :" bullets), and the
pages are Vietnamese throughout with one date format, HH:MM dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role
from portal.backoffice import services as backoffice
from portal.backoffice.models import RefusalReason, RefusalReview
from portal.catalogue.models import Procedure
from portal.core.errors import DomainError
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier, State
from tests.dossiers.conftest import make_staff

pytestmark = pytest.mark.django_db


def change_url(d):
    return reverse("admin:dossiers_dossier_change", args=[d.pk])


def action_url(d, name):
    return reverse("admin:dossiers_dossier_action", args=[d.pk, name])


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each <option> of the <select name=...>."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    return [
        (value, unescape(label).strip(), "selected" in attrs)
        for value, attrs, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>(.*?)</option>', select.group(1), re.S
        )
    ]


def _text(html: str) -> str:
    """What the page says (visible text and labels read aloud), without tags and scripts."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + labels)


# --- 2. the assign form ------------------------------------------------------------------------


def test_assign_lists_handling_officers_with_role_and_username(
    make_dossier, staff_client, receiving_officer, handling_officer, unit_leader, other_unit
):
    second = make_staff("xuly2", receiving_officer.unit, Role.HANDLING_OFFICER)
    second.full_name = handling_officer.full_name  # two officers with the same name
    second.save()
    make_staff("xulykhac", other_unit, Role.HANDLING_OFFICER)  # another unit's handler
    dossier = make_dossier("received")

    html = staff_client(receiving_officer).get(action_url(dossier, "assign")).content.decode()

    offered = [(value, label) for value, label, _ in _options(html, "officer") if value]
    assert {value for value, _ in offered} == {str(handling_officer.pk), str(second.pk)}
    for officer in (handling_officer, second):
        label = dict(offered)[str(officer.pk)]
        assert officer.full_name in label and "Cán bộ xử lý" in label, label
        assert f"({officer.username})" in label, label
    assert unit_leader.username not in html


def test_assigning_to_the_leader_is_refused(make_dossier, receiving_officer, unit_leader):
    dossier = make_dossier("received")
    with pytest.raises(DomainError) as caught:
        backoffice.assign(dossier=dossier, actor=receiving_officer, officer=unit_leader)
    assert caught.value.code == "invalid_officer"
    assert Dossier.objects.get(pk=dossier.pk).assigned_to_id is None


# --- 3. the return form ------------------------------------------------------------------------


def _allow(dossier, *methods):
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_methods=list(methods))


def test_return_form_starts_from_the_citizens_choice(make_dossier, staff_client, receiving_officer):
    dossier = make_dossier("approved")
    _allow(dossier, "electronic", "in_person", "post")
    address = "Số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng, Thái Nguyên"
    Dossier.objects.filter(pk=dossier.pk).update(result_method="post", result_address=address)

    html = (
        staff_client(receiving_officer).get(action_url(dossier, "return_result")).content.decode()
    )

    options = _options(html, "method")
    assert [(v, sel) for v, _, sel in options] == [("post", True), ("in_person", False)]
    assert "Công dân đã chọn nhận kết quả: Qua dịch vụ bưu chính công ích" in html
    assert f'value="{address}"' in html  # the citizen's postal address, ready to check


def test_return_form_offers_only_what_the_procedure_allows(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("approved")
    _allow(dossier, "electronic", "in_person")  # the catalogue's 1.003677: no post
    Dossier.objects.filter(pk=dossier.pk).update(result_method="in_person")
    client = staff_client(receiving_officer)

    html = client.get(action_url(dossier, "return_result")).content.decode()
    assert [(v, sel) for v, _, sel in _options(html, "method")] == [("in_person", True)]

    # posting a method the procedure does not offer is refused, with the reason
    response = client.post(
        action_url(dossier, "return_result"),
        {
            "version": Dossier.objects.get(pk=dossier.pk).version,
            "method": "post",
            "postal_address": "Số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng",
            "postal_fee": "25000",
        },
    )
    assert response.status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).state == State.APPROVED
    with pytest.raises(DomainError) as caught:
        backoffice.return_result(
            dossier=dossier,
            actor=receiving_officer,
            method="post",
            postal_address="Số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng",
        )
    assert "không trả kết quả theo hình thức" in caught.value.message


def test_return_form_never_offers_an_electronic_result(
    make_dossier, staff_client, receiving_officer
):
    """The citizen chose an electronic result, which the back office cannot issue yet: it is
    shown, not offered; staff must pick the method agreed with the citizen (nothing pre-set)."""
    dossier = make_dossier("approved")
    _allow(dossier, "electronic", "in_person")
    Dossier.objects.filter(pk=dossier.pk).update(result_method="electronic")

    html = (
        staff_client(receiving_officer).get(action_url(dossier, "return_result")).content.decode()
    )

    options = _options(html, "method")
    assert [v for v, _, _ in options] == ["", "in_person"]
    assert [v for v, _, selected in options if selected] in ([], [""])  # nothing pre-set
    assert 'id="bo-chosen-method"' in html and "Bản điện tử" in html


# --- 4. history rows ---------------------------------------------------------------------------


def test_history_rows_show_their_items_and_no_empty_bullets(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("received")
    # a row whose details have other keys but no "items" (the old template iterated the dict's
    # own .items method and printed "• :" for each key) …
    backoffice.record_contact(
        dossier=dossier,
        actor=receiving_officer,
        contacted_at=timezone.now(),
        channel="phone",
        outcome="reached",
        note="Đã gọi điện, công dân hẹn nộp bổ sung tờ khai có chữ ký trong ngày.",
    )
    # … and one with "items"
    dossier_services.request_supplement(
        dossier=Dossier.objects.get(pk=dossier.pk),
        actor=receiving_officer,
        items=[{"document": "Tờ khai CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}],
        guidance="Ký và tải lại tờ khai.",
    )

    html = staff_client(receiving_officer).get(change_url(dossier)).content.decode()
    history = re.search(r'<table id="bo-history">(.*?)</table>', html, re.S).group(1)

    bullets = [
        unescape(re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", history, re.S)
    ]
    assert bullets == ["Tờ khai CT01 (Bản chính): Thiếu chữ ký"], bullets
    contact_row = re.search(r'data-action="contact_citizen".*?</tr>', history, re.S).group(0)
    assert "<li>" not in contact_row and "<ul" not in contact_row


# --- 5. Vietnamese throughout, one date format -------------------------------------------------

ENGLISH_LEFTOVERS = (
    "minute",
    "hour",
    " day",
    "week",
    "Show counts",
    "Hide counts",
    "Skip to main content",
    "Breadcrumbs",
    "Toggle theme",
    "Toggle navigation",
    "Model name",
    "Add link",
    "Filter",
    "Select ",
    "Change ",
    "View ",
    "Home",
    "Temporary absence declaration",
    "Chọn hồ sơ để xem",
    "để thay đổi",
)
DATE = re.compile(r"\b\d{1,2}:\d{2} \d{1,2}[/-]\d{1,2}[/-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|Ngày \d")
ONE_FORMAT = re.compile(r"^\d{2}:\d{2} \d{2}/\d{2}/\d{4}$")


def test_staff_pages_are_vietnamese_with_one_date_format(
    make_dossier, staff_client, receiving_officer, supervisor, settings
):
    settings.LANGUAGE_CODE = "vi"
    Procedure.objects.update(name_en="Temporary absence declaration")
    waiting = make_dossier("submitted")
    Dossier.objects.filter(pk=waiting.pk).update(
        submitted_at=waiting.submitted_at - dt.timedelta(minutes=2)
    )
    supplement = make_dossier("supplement_requested")
    refused = make_dossier("refused")
    reason = RefusalReason.objects.filter(is_active=True).first()
    RefusalReview.objects.create(
        dossier=refused,
        unit=refused.unit,
        reason=reason,
        legal_provision=reason.legal_provision,
        explanation="Chỗ ở thuộc khu vực đã có quyết định thu hồi đất.",
        refused_by=receiving_officer,
    )
    officer = staff_client(receiving_officer)
    pages = {
        "index": officer.get(reverse("admin:index")),
        "queue": officer.get(reverse("admin:dossiers_dossier_changelist") + "?queue=reception"),
        "all dossiers": officer.get(reverse("admin:dossiers_dossier_changelist")),
        "dossier": officer.get(change_url(supplement)),
        "refusals": staff_client(supervisor).get(
            reverse("admin:backoffice_refusalreview_changelist")
        ),
        "review": staff_client(supervisor).get(
            reverse(
                "admin:backoffice_refusalreview_change",
                args=[RefusalReview.objects.get().pk],
            )
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = _text(response.content.decode())
        for english in ENGLISH_LEFTOVERS:
            assert english not in text, (name, english)
        dates = DATE.findall(text)
        assert dates, name
        for found in dates:
            assert ONE_FORMAT.match(found), (name, found)
    index = _text(pages["index"].content.decode())
    assert re.search(r"đã chờ \d+ phút", index), "waited time in Vietnamese"
    queue = _text(pages["queue"].content.decode())
    assert "Hồ sơ – Chờ tiếp nhận" in queue and "Hiện số lượng" in queue
    assert "Từ chối chờ cấp trên xem xét" in _text(pages["refusals"].content.decode())
