from django.urls import path

from .api import ProcedureEstimateView

urlpatterns = [
    path(
        "procedures/<str:code>/estimate/",
        ProcedureEstimateView.as_view(),
        name="api-procedure-estimate",
    ),
]
