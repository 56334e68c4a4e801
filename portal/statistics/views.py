"""The public transparency page (/minh-bach/): per unit and month, counts and rates only."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render

from portal.core.errors import DomainError

from . import selectors
from .services import current_month

PAGE_SIZE = 50


def transparency(request):
    this_month = current_month()
    error = ""
    status = 200
    raw = request.GET.get("thang", "")
    month = this_month
    if raw:
        try:
            month = selectors.parse_month(raw, param="thang")
        except DomainError as exc:
            error, status = exc.message, 400
    page = Paginator(selectors.public_month(month=month), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    rows = [selectors.public_figures(row) for row in page.object_list]
    months = []
    month_cursor = this_month
    for _ in range(12):  # the month picker: the last twelve months
        months.append(month_cursor)
        month_cursor = (month_cursor - dt.timedelta(days=1)).replace(day=1)
    context = {
        "month": month,
        "months": months,
        "rows": rows,
        "page": page,
        "error": error,
    }
    return render(request, "statistics/public.html", context, status=status)
