"""Citizen pages: pick, move or cancel the appointment of a dossier (/ho-so/<code>/dat-lich/)."""

from django.urls import path

from . import views

app_name = "booking"
urlpatterns = [
    path("ho-so/<str:code>/dat-lich/", views.pick_slot, name="pick"),
    path("ho-so/<str:code>/dat-lich/huy/", views.cancel, name="cancel"),
]
