"""The supervisors' dashboard in the admin (*Thống kê, giám sát*): per unit and period (month
range) for the units the user may see — a supervisor their subtree, unit staff their own unit, an
administrator every unit — with server-rendered SVG charts, CSV / XLSX exports and drill-down to
the existing dossier and refusal-review lists. Everything reads the aggregate tables only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext

from portal.backoffice.selectors import can_use_back_office
from portal.core.errors import DomainError, NotFound

from . import charts, exports, selectors
from .models import UnitMonthStats
from .services import current_month, month_bounds, next_month


def _period(request):
    """(first, last, error message)."""
    default = current_month()
    try:
        first, last = selectors.parse_period(
            request.GET.get("tu"), request.GET.get("den"), default=default
        )
        return first, last, ""
    except DomainError as exc:
        return default, default, exc.message


@admin.register(UnitMonthStats)
class StatisticsAdmin(admin.ModelAdmin):
    """Not a list of rows: the changelist is the dashboard."""

    def has_module_permission(self, request):
        return can_use_back_office(request.user)

    def has_view_permission(self, request, obj=None):
        return can_use_back_office(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("xuat.csv", wrap(self.export_csv), name="statistics_export_csv"),
            path("xuat.xlsx", wrap(self.export_xlsx), name="statistics_export_xlsx"),
            path("don-vi/<int:unit_id>/", wrap(self.unit_view), name="statistics_unit"),
            path("", wrap(self.changelist_view), name="statistics_unitmonthstats_changelist"),
        ]

    # --- scope ---------------------------------------------------------------------------
    def _check(self, request):
        if not can_use_back_office(request.user):
            raise Http404

    def _scope(self, request):
        """(units queryset, the chosen unit or None). `don_vi` narrows to a visible unit's
        subtree; a unit the user may not see is a 404."""
        visible = selectors.visible_units(user=request.user)
        raw = request.GET.get("don_vi")
        if not raw:
            return visible, None
        try:
            chosen = selectors.get_visible_unit(user=request.user, unit_id=raw)
        except NotFound:
            raise Http404(gettext("Không tìm thấy đơn vị.")) from None
        return visible.filter(path__startswith=chosen.path), chosen

    @staticmethod
    def _query(first, last, **extra) -> str:
        params = {"tu": f"{first:%Y-%m}", "den": f"{last:%Y-%m}"}
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)

    # --- the dashboard -------------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        self._check(request)
        first, last, error = _period(request)
        if error:
            messages.error(request, error)
        units, chosen = self._scope(request)
        rows, total = selectors.unit_figures(units=units, first=first, last=last)
        series = selectors.monthly_series(units=units, first=first, last=last)
        refusals = selectors.refusals_by_category(units=units, first=first, last=last)
        query = self._query(first, last, don_vi=chosen.pk if chosen else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Thống kê, giám sát"),
            "subtitle": chosen.name if chosen else "",
            "first": first,
            "last": last,
            "chosen": chosen,
            "rows": rows,
            "total": total,
            "series": series,
            "refusals": [(title or gettext("Không rõ danh mục"), n) for title, n in refusals],
            "query": query,
            "period_query": self._query(first, last),
            "monthly_chart": charts.monthly_bars(
                [(f"{m:%m/%Y}", f.received, f.completed) for m, f in series],
                title=gettext("Hồ sơ tiếp nhận và đã giải quyết theo tháng"),
                legend=(gettext("Tiếp nhận"), gettext("Đã giải quyết")),
            ),
            "on_time_chart": charts.horizontal_bars(
                [(r.name, r.figures.on_time_rate) for r in rows],
                title=gettext("Tỷ lệ giải quyết đúng hạn theo đơn vị"),
                unit="%",
                maximum=100,
            ),
            "refusal_chart": charts.horizontal_bars(
                [(title or gettext("Không rõ danh mục"), n) for title, n in refusals],
                title=gettext("Từ chối theo lý do"),
            ),
            "complaints_installed": _complaints_installed(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "statistics/dashboard.html", context)

    # --- one unit ------------------------------------------------------------------------
    def unit_view(self, request, unit_id):
        self._check(request)
        try:
            unit = selectors.get_visible_unit(user=request.user, unit_id=unit_id)
        except NotFound:
            raise Http404(gettext("Không tìm thấy đơn vị.")) from None
        first, last, error = _period(request)
        if error:
            messages.error(request, error)
        only = type(unit).objects.filter(pk=unit.pk)
        series = selectors.monthly_series(units=only, first=first, last=last)
        refusals = selectors.refusals_by_category(units=only, first=first, last=last)
        (_rows, total) = selectors.unit_figures(units=only, first=first, last=last)
        start = month_bounds(first)[0].isoformat()  # aware: "2026-06-01T00:00:00+07:00"
        end = month_bounds(next_month(last))[0].isoformat()
        dossiers = reverse("admin:dossiers_dossier_changelist")
        reviews = reverse("admin:backoffice_refusalreview_changelist")
        links = [
            (
                gettext("Hồ sơ nộp trong kỳ"),
                f"{dossiers}?"
                + urlencode(
                    {
                        "unit__id__exact": unit.pk,
                        "submitted_at__gte": start,
                        "submitted_at__lt": end,
                    }
                ),
            ),
            (
                gettext("Hồ sơ đang quá hạn"),
                f"{dossiers}?" + urlencode({"unit__id__exact": unit.pk, "queue": "overdue"}),
            ),
            (
                gettext("Hồ sơ bị từ chối trong kỳ"),
                f"{dossiers}?"
                + urlencode(
                    {
                        "unit__id__exact": unit.pk,
                        "state__exact": "refused",
                        "decided_at__gte": start,
                        "decided_at__lt": end,
                    }
                ),
            ),
            (
                gettext("Danh sách từ chối cần giám sát"),
                f"{reviews}?" + urlencode({"unit__id__exact": unit.pk}),
            ),
        ]
        complaints = _complaints_changelist()
        if complaints:
            links.append(
                (
                    gettext("Phản ánh, kiến nghị về đơn vị"),
                    f"{complaints}?" + urlencode({"unit__id__exact": unit.pk}),
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Thống kê: %(unit)s") % {"unit": unit.name},
            "unit": unit,
            "first": first,
            "last": last,
            "series": series,
            "total": total,
            "refusals": [(title or gettext("Không rõ danh mục"), n) for title, n in refusals],
            "links": links,
            "query": self._query(first, last),
            "monthly_chart": charts.monthly_bars(
                [(f"{m:%m/%Y}", f.received, f.completed) for m, f in series],
                title=gettext("Hồ sơ tiếp nhận và đã giải quyết theo tháng"),
                legend=(gettext("Tiếp nhận"), gettext("Đã giải quyết")),
            ),
            "complaints_installed": _complaints_installed(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "statistics/unit.html", context)

    # --- exports -------------------------------------------------------------------------
    def _export_rows(self, request):
        self._check(request)
        first, last, error = _period(request)
        if error:
            return first, last, None, HttpResponseBadRequest(error)
        units, _chosen = self._scope(request)
        return first, last, selectors.export_rows(units=units, first=first, last=last), None

    def export_csv(self, request):
        first, last, rows, refusal = self._export_rows(request)
        if refusal:
            return refusal
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, f"thong-ke-{first:%Y-%m}-{last:%Y-%m}.csv"
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def export_xlsx(self, request):
        first, last, rows, refusal = self._export_rows(request)
        if refusal:
            return refusal
        response = HttpResponse(
            exports.to_xlsx(rows, sheet_title=gettext("Thống kê")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"thong-ke-{first:%Y-%m}-{last:%Y-%m}.xlsx"
        )
        response["Cache-Control"] = "private, no-store"
        return response


def _complaints_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("portal.complaints")


def _complaints_changelist() -> str:
    if not _complaints_installed():
        return ""
    try:
        return reverse("admin:complaints_complaint_changelist")
    except NoReverseMatch:
        return ""
