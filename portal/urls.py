from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.dossiers import views as dossier_views

api_v1 = [
    path("", include("portal.workcalendar.api_urls")),
    path("", include("portal.catalogue.api_urls")),
    path("", include("portal.accounts.api_urls")),
    path("", include("portal.dossiers.api_urls")),
    path("", include("portal.backoffice.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("portal.statistics.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("tai-khoan/", include("portal.accounts.urls")),
    path("ho-so/", include("portal.dossiers.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("tra-cuu/", dossier_views.public_lookup, name="public-lookup"),
    path("minh-bach/", include("portal.statistics.urls")),
    path("", include("portal.catalogue.urls")),
]
