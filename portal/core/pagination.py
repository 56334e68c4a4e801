"""The API's one pagination: `?page=N`, N a whole number from 1. A page that is not a positive
whole number is a 400 (code "invalid"); a page after the last one a 404 (code "page_not_found").
Both are documented on every paginated operation (portal.core.schema)."""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from portal.core.errors import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return raw
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            message = _("Số trang (page) phải là số nguyên từ 1 trở lên.")
            raise ValidationError({self.page_query_param: [message]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view=view)
        except pagination.NotFound:
            raise NotFound(
                _("Không có trang %(page)s.")
                % {"page": request.query_params.get(self.page_query_param)},
                code="page_not_found",
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = _("Số trang, từ 1 (mỗi trang %(size)s mục).") % {
                    "size": self.page_size
                }
        return parameters


class NextLinkPagination(PageNumberPagination):
    """`?page=N` without counting: one query of page_size + 1 rows tells whether a next page
    exists. For lists over a unit's whole history, where a count would read every row of it
    (the answer has `next` and `previous`, no `count`). Same 400 and 404 as the counted one."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = self.get_page_number(request, None)
        number = 1 if raw in self.last_page_strings else raw
        offset = (number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        if number > 1 and not rows:
            raise NotFound(_("Không có trang %(page)s.") % {"page": number}, code="page_not_found")
        self.page_number = number
        self.has_next = len(rows) > page_size
        return rows[:page_size]

    def _page_link(self, number: int | None) -> str | None:
        if number is None:
            return None
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        from rest_framework.response import Response

        return Response(
            {
                "next": self._page_link(self.page_number + 1 if self.has_next else None),
                "previous": self._page_link(self.page_number - 1 if self.page_number > 1 else None),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        full = super().get_paginated_response_schema(schema)
        full["properties"].pop("count", None)
        full["required"] = [r for r in full.get("required", []) if r != "count"]
        return full


class CappedCountPaginator(DjangoPaginator):
    """A Django paginator that counts at most `pages_ahead` pages past the page shown: the
    count reads a bounded number of rows (`SELECT COUNT(*) FROM (… LIMIT n)`) however long the
    history is. Past the cap, `capped` is True and the count is the cap + 1 (pages stay
    reachable one window at a time); a template says "more than …"."""

    pages_ahead = 10

    def __init__(self, object_list, per_page, *args, page_number=1, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = (max(int(page_number or 1), 1) + self.pages_ahead) * int(per_page)
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.cap + 1].count()
        self.capped = counted > self.cap
        return counted
