import datetime as dt
import re
import sys
import unicodedata
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.catalogue.models import Procedure, ProcedureFee
from portal.catalogue.presentation import fee_schedule

SUBMIT = "Nộp hồ sơ trực tuyến"


def codes_in(response) -> list[str]:
    return re.findall(r'<td class="code">([^<]+)</td>', response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("dang ky tam tru", {"1.004194"}, {"1.004222", "1.002755"}),
        ("Đăng ký tạm trú", {"1.004194"}, {"1.004222"}),
        ("TẠM TRÚ", {"1.004194", "1.002755", "1.010028"}, {"1.004222"}),
        ("ĐĂNG KÝ TẠM TRÚ", {"1.004194", "1.010028"}, {"1.004222", "1.002755"}),
        ("DANG KY  Tam Tru", {"1.004194", "1.010028"}, {"1.004222"}),
        ("đăng", {"1.004222", "1.004194"}, {"1.002755"}),  # đ folds to d
        # typed with combining marks (NFD), as some keyboards and browsers send it
        (unicodedata.normalize("NFD", "Đăng ký tạm trú"), {"1.004194"}, {"1.004222"}),
        ("thuong tru", {"1.004222", "1.003197"}, {"1.004194"}),
        ("1.004222", {"1.004222"}, {"1.004194"}),
        ("can cuoc", {"2.000200", "2.001195", "2.001194"}, {"1.004194"}),
        ("tam vang", {"1.003677"}, set()),
    ],
)
def test_search_is_accent_insensitive_and_all_words_must_match(
    client, catalogue, query, expected, absent
):
    response = client.get("/thu-tuc/", {"q": query})
    assert response.status_code == 200
    found = set(codes_in(response))
    assert expected <= found
    assert not (absent & found)


def test_search_without_match_says_so(client, catalogue):
    response = client.get("/", {"q": "ho chieu"})
    assert codes_in(response) == []
    assert "Không có thủ tục nào phù hợp" in response.content.decode()


def test_home_lists_everything_with_level_names_deadline_and_fee(client, catalogue):
    response = client.get("/")
    html = response.content.decode()
    assert len(codes_in(response)) == Procedure.objects.count() == 14
    assert "Tìm thấy 14 thủ tục" in html
    assert "Dịch vụ công trực tuyến toàn trình" in html
    assert "Dịch vụ công trực tuyến một phần" in html
    assert "½ ngày làm việc" in html
    assert "Ngay khi tiếp nhận" in html
    assert "20.000 đ / 10.000 đ" in html


def test_filters_by_field_and_level(client, catalogue):
    assert set(codes_in(client.get("/thu-tuc/", {"field": "identity"}))) == {
        "2.000200",
        "2.001195",
        "2.001194",
        "2.001178",
    }
    assert codes_in(client.get("/thu-tuc/", {"level": "1"})) == []
    assert set(codes_in(client.get("/thu-tuc/", {"level": "2"}))) == {
        "2.000200",
        "2.001195",
        "2.001194",
        "2.001178",
    }
    assert codes_in(
        client.get("/thu-tuc/", {"field": "identity", "level": "2", "q": "cap lai"})
    ) == ["2.001194"]
    # nonsense filter values are ignored rather than failing
    assert len(codes_in(client.get("/thu-tuc/", {"level": "x", "field": "zzz"}))) == 14


def test_unpublished_procedures_are_hidden(client, catalogue):
    Procedure.objects.filter(code="1.004194").update(is_published=False)
    assert "1.004194" not in codes_in(client.get("/thu-tuc/"))
    assert client.get("/thu-tuc/1.004194/").status_code == 404


def test_list_page_query_count_does_not_grow_with_procedures(
    client, catalogue, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as before:
        client.get("/thu-tuc/")
    for i in range(10):
        p = Procedure.objects.create(
            code=f"9.00000{i}", name_vi=f"Thủ tục thử {i}", field="residence", level=4
        )
        ProcedureFee.objects.create(
            procedure=p, channel="online", amount=1000, valid_from=dt.date(2020, 1, 1)
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get("/thu-tuc/")
    assert len(codes_in(response)) == 24


def test_detail_page_shows_everything(client, catalogue):
    html = client.get("/thu-tuc/1.004222/").content.decode()
    for text in [
        "1.004222",
        "Đăng ký thường trú",
        "Đăng ký, quản lý cư trú",
        "Mức độ 3",
        "Dịch vụ công trực tuyến một phần",
        "07 ngày làm việc",
        "Công an cấp xã",
        "Trình tự thực hiện",
        "Đối tượng thực hiện",
        "Yêu cầu, điều kiện",
        "68/2020/QH14",
        "13/11/2020",
        "75/2022/TT-BTC",
        "20.000 đ",
        "10.000 đ",
        "Miễn, giảm",
        "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
        "Bắt buộc",
        "Bản sao có chứng thực",
        "Qua dịch vụ bưu chính công ích",
        "Mẫu CT08",
        "/thu-tuc/1.004222/mau/CT01.pdf",
    ]:
        assert text in html, text
    # Vietnamese throughout: the English name is for English pages (tests/i18n)
    assert "Permanent residence registration" not in html


def test_detail_deadline_wording(client, catalogue):
    assert (
        "½ ngày làm việc (tối đa 03 ngày làm việc)"
        in client.get("/thu-tuc/1.010041/").content.decode()
    )
    assert "Ngay khi tiếp nhận" in client.get("/thu-tuc/2.001159/").content.decode()
    assert "Tiếp nhận 24/7" in client.get("/thu-tuc/2.001159/").content.decode()


def test_detail_shows_fee_periods_with_dates(client, catalogue):
    html = client.get("/thu-tuc/2.001195/").content.decode()
    assert "25.000 đ" in html and "50.000 đ" in html
    assert "từ 01/07/2025 đến 31/12/2026" in html
    assert "từ 01/01/2027" in html
    assert "Thông tư 64/2025/TT-BTC" in html


def test_fee_schedule_marks_current_upcoming_previous(catalogue):
    p = Procedure.objects.prefetch_related("fees").get(code="2.001195")
    rows = fee_schedule(p, "in_person", today=dt.date(2026, 3, 2))
    assert [(r.fee.amount, r.status) for r in rows] == [
        (50000, "previous"),
        (25000, "current"),
        (50000, "upcoming"),
    ]


@pytest.mark.parametrize("code", ["1.004222", "1.003677", "2.001159"])
def test_levels_3_and_4_offer_online_submission(client, catalogue, code):
    html = client.get(f"/thu-tuc/{code}/").content.decode()
    assert SUBMIT in html
    assert f'href="/ho-so/nop/{code}/"' in html


@pytest.mark.parametrize("code", ["2.000200", "2.001178"])
def test_levels_1_and_2_have_no_online_submission_but_say_where_to_file(client, catalogue, code):
    if code == "2.001178":
        Procedure.objects.filter(code=code).update(level=1)
    html = client.get(f"/thu-tuc/{code}/").content.decode()
    assert SUBMIT not in html
    assert "/ho-so/nop/" not in html
    assert "chưa nhận hồ sơ trực tuyến" in html
    assert "bưu chính công ích" in html


def test_level_2_offers_forms_level_1_does_not(client, catalogue):
    assert "/thu-tuc/1.010028/mau/CT01.pdf" in client.get("/thu-tuc/1.010028/").content.decode()
    Procedure.objects.filter(code="2.001178").update(level=1)
    level_1 = client.get("/thu-tuc/2.001178/").content.decode()
    assert "/mau/" not in level_1
    assert "Mẫu đơn, tờ khai" not in level_1


def test_partly_online_page_explains_the_visit(client, catalogue):
    from tests.dossiers.conftest import register_test_plugin

    register_test_plugin("2.000200")  # the identity plugin when it exists, else a stand-in
    Procedure.objects.filter(code="2.000200").update(level=3)
    assert "vẫn phải đến cơ quan" in client.get("/thu-tuc/2.000200/").content.decode()


def test_unknown_procedure_is_404(client, catalogue):
    assert client.get("/thu-tuc/0.000000/").status_code == 404


def test_detail_page_query_count(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get("/thu-tuc/1.004222/").status_code == 200


def test_detail_shows_expected_result_if_submitted_now(client, catalogue, monkeypatch):
    from django.utils import timezone

    from portal.workcalendar import services

    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))  # a Monday
    monkeypatch.setattr(timezone, "now", lambda: now)
    procedure = Procedure.objects.get(code="1.004194")  # 3 working days
    expected = services.estimate(procedure=procedure, submitted_at=now, unit=None)
    html = client.get("/thu-tuc/1.004194/").content.decode()
    due = timezone.localtime(expected.due_at)
    assert f"Nếu nộp ngay bây giờ, dự kiến có kết quả vào {due:%H:%M} ngày {due:%d/%m/%Y}" in html
    # the worked example: received Monday 09:00, 3 working days -> Thursday 09:00
    assert "09:00 ngày 05/03/2026" in html


def test_detail_page_works_without_the_working_calendar(client, catalogue, monkeypatch):
    monkeypatch.setitem(sys.modules, "portal.workcalendar.services", None)  # import -> ImportError
    response = client.get("/thu-tuc/1.004194/")
    assert response.status_code == 200
    assert SUBMIT in response.content.decode()
    assert "dự kiến có kết quả" not in response.content.decode()
