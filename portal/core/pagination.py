"""The API's one pagination: `?page=N`, N a whole number from 1. A page that is not a positive
whole number is a 400 (code "invalid"); a page after the last one a 404 (code "page_not_found").
Both are documented on every paginated operation (portal.core.schema)."""

from __future__ import annotations

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
