"""Citizen registry pages, mounted at /cu-tru/."""

from django.urls import path

from residence import views

app_name = "residence"
urlpatterns = [
    path("cua-toi/", views.my_residence, name="mine"),
]
