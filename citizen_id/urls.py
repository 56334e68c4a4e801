from django.urls import path

from . import views

app_name = "citizen_id"
urlpatterns = [
    path("cua-toi/", views.my_cards, name="my-cards"),
    path("the/<int:pk>/bao-mat/", views.report_lost, name="report-lost"),
]
