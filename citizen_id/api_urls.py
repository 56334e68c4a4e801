from django.urls import path

from . import api

urlpatterns = [
    path(
        "citizen-id/card-expiry/", api.CardExpiryView.as_view(), name="api-citizen-id-card-expiry"
    ),
    path("citizen-id/cards/", api.MyCardsView.as_view(), name="api-citizen-id-cards"),
    path(
        "citizen-id/cards/<int:pk>/report-lost/",
        api.ReportLostView.as_view(),
        name="api-citizen-id-card-report-lost",
    ),
]
