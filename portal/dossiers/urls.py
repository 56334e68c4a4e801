"""The citizen's dossier pages, mounted at /ho-so/ (the public lookup is /tra-cuu/, in portal.urls)."""

from django.urls import path

from portal.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.my_dossiers, name="list"),
    path("nop/<str:procedure_code>/", views.start, name="start"),
    # Alias of /tra-cuu/ (slips issued with this address in their QR code keep working).
    path("tra-cuu/", views.public_lookup, name="lookup"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/sua/", views.edit, name="edit"),
    path("<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("<str:code>/rut/", views.withdraw, name="withdraw"),
    path("<str:code>/tep/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:code>/van-ban/<int:document_id>/", views.document_download, name="document"),
]
