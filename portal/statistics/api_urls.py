from django.urls import path

from .api import UnitStatisticsView

urlpatterns = [
    path("statistics/units/", UnitStatisticsView.as_view(), name="api-statistics-units"),
]
