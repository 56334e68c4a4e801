from django.urls import path

from residence import api

urlpatterns = [
    path("residence/me/", api.MyResidenceView.as_view(), name="api-residence-me"),
]
