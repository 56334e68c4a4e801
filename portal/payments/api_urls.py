from django.urls import path

from portal.payments import api

urlpatterns = [
    path("payments/vnpay/ipn/", api.VnpayIpnView.as_view(), name="api-payments-vnpay-ipn"),
    path(
        "dossiers/<str:code>/payments/",
        api.DossierPaymentsView.as_view(),
        name="api-dossier-payments",
    ),
]
