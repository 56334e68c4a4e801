"""CSV and XLSX exports of the dashboard's period: one row per unit and month, counts and rates
only (no personal data). Text cells that a spreadsheet would run as a formula (=, +, -, @, tab,
CR) are prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def columns() -> list[tuple[str, callable]]:
    return [
        (_("Mã đơn vị"), lambda unit, month, f: unit.code),
        (_("Đơn vị"), lambda unit, month, f: unit.name),
        (_("Tháng"), lambda unit, month, f: f"{month:%Y-%m}"),
        (_("Tiếp nhận"), lambda unit, month, f: f.received),
        (_("Tiếp nhận trực tuyến"), lambda unit, month, f: f.received_online),
        (_("Toàn trình (mức 4)"), lambda unit, month, f: f.received_full_online),
        (_("Đã giải quyết"), lambda unit, month, f: f.completed),
        (_("Đã trả kết quả"), lambda unit, month, f: f.returned),
        (_("Từ chối"), lambda unit, month, f: f.refused),
        (_("Dừng xử lý"), lambda unit, month, f: f.stopped),
        (_("Công dân rút"), lambda unit, month, f: f.withdrawn),
        (_("Đúng hạn"), lambda unit, month, f: f.on_time),
        (_("Trễ hạn"), lambda unit, month, f: f.late),
        (_("Tỷ lệ đúng hạn (%)"), lambda unit, month, f: f.on_time_rate),
        (_("Tỷ lệ trực tuyến (%)"), lambda unit, month, f: f.online_share),
        (_("Thời gian giải quyết TB (ngày làm việc)"), lambda u, m, f: f.average_processing_days),
        (_("Yêu cầu bổ sung / hồ sơ"), lambda unit, month, f: f.supplements_per_dossier),
        (_("Phản ánh tiếp nhận"), lambda unit, month, f: f.complaints_received),
        (_("Phản ánh đã giải quyết"), lambda unit, month, f: f.complaints_resolved),
        (_("Phản ánh đang mở"), lambda unit, month, f: f.complaints_open),
        (_("Phản ánh quá hạn"), lambda unit, month, f: f.complaints_overdue),
        (_("Phản ánh lặp lại"), lambda unit, month, f: f.complaints_repeated),
        (_("Lượt đánh giá"), lambda unit, month, f: f.rating_count),
        (_("Điểm hài lòng TB (1–5)"), lambda unit, month, f: f.rating_average),
        (_("Đánh giá thấp (1–2)"), lambda unit, month, f: f.rating_low),
    ]


def _cells(rows):
    cols = columns()
    yield [title for title, _get in cols]
    for unit, month, figures in rows:
        out = []
        for _title, get in cols:
            value = get(unit, month, figures)
            if isinstance(value, str):
                value = _safe_text(value)
            out.append(value)
        yield out


def to_csv(rows) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _cells(rows):
        writer.writerow(["" if v is None else v for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows, *, sheet_title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for line in _cells(rows):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
