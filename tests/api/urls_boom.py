"""The portal's URLs plus a view that fails, under /api/ and on the site (tests only)."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from portal import urls as portal_urls


class BoomView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        raise RuntimeError("boom")


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/boom/", BoomView.as_view()),
    path("boom/", boom),
    *portal_urls.urlpatterns,
]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
