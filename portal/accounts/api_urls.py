from django.urls import path

from portal.accounts import api

urlpatterns = [
    path("auth/signup/", api.SignupView.as_view(), name="api-auth-signup"),
    path("auth/token/", api.TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", api.MeView.as_view(), name="api-auth-me"),
]
