from django.urls import path

from portal.signing.api import VerifyView

urlpatterns = [path("verify/", VerifyView.as_view(), name="api-verify")]
