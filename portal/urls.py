from django.contrib import admin
from django.urls import include, path, re_path

from portal.core import views as core_views
from portal.core.lazy_views import lazy_view
from portal.dossiers import views as dossier_views

api_v1 = [
    path("", include("portal.workcalendar.api_urls")),
    path("", include("portal.catalogue.api_urls")),
    path("", include("portal.accounts.api_urls")),
    path("", include("portal.dossiers.api_urls")),
    path("", include("portal.backoffice.api_urls")),
    path("", include("portal.complaints.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("portal.statistics.api_urls")),
    path("", include("residence.api_urls")),
    path("", include("portal.postal.api_urls")),
    path("", include("citizen_id.api_urls")),
    path("", include("portal.booking.api_urls")),
    path("", include("portal.signing.api_urls")),
    path("", include("portal.payments.api_urls")),
]

urlpatterns = [
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    # The schema views are built on their first request (portal.core.lazy_views): importing
    # drf_spectacular.views costs every web worker its renderers (PyYAML) and views.
    path(
        "api/schema/",
        lazy_view("drf_spectacular.views.SpectacularAPIView"),
        name="api-schema",
    ),
    # The split view serves Swagger UI's init script as a separate URL (no inline script: CSP).
    path(
        "api/docs/",
        lazy_view(
            "drf_spectacular.views.SpectacularSwaggerSplitView",
            url_name="api-schema",
            template_name="api/swagger_ui.html",
        ),
        name="api-docs",
    ),
    # Any other /api/ URL (an unknown path, a non-integer id): the API's JSON 404, DEBUG or not.
    re_path(r"^api/", core_views.api_not_found),
    path("tai-khoan/", include("portal.accounts.urls")),
    path("ho-so/", include("portal.dossiers.urls")),
    path("cu-tru/", include("residence.urls")),
    path("", include("portal.booking.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("phan-anh/", include("portal.complaints.urls")),
    path("tra-cuu/", dossier_views.public_lookup, name="public-lookup"),
    path("xac-thuc/", include("portal.signing.urls")),
    path("minh-bach/", include("portal.statistics.urls")),
    path("can-cuoc/", include("citizen_id.urls")),
    path("thanh-toan/", include("portal.payments.urls")),
    path("", include("portal.catalogue.urls")),
]

# Errors: the API's JSON shape under /api/, the Vietnamese pages elsewhere (portal.core.views).
handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"
