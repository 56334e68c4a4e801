from django.urls import path

from portal.signing import views

urlpatterns = [
    path("", views.verify_upload, name="verify-upload"),
    path("<uuid:public_id>/", views.verify_document, name="verify-document"),
]
