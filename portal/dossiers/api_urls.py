from django.urls import path

from portal.dossiers import api, formschema_api

urlpatterns = [
    path("dossiers/", api.DossierListCreateView.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", api.DossierDetailView.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/submit/", api.SubmitView.as_view(), name="api-dossier-submit"),
    path("dossiers/<str:code>/withdraw/", api.WithdrawView.as_view(), name="api-dossier-withdraw"),
    path(
        "dossiers/<str:code>/supplement/",
        api.SupplementView.as_view(),
        name="api-dossier-supplement",
    ),
    path(
        "dossiers/<str:code>/attachments/",
        api.AttachmentListView.as_view(),
        name="api-dossier-attachments",
    ),
    path(
        "dossiers/<str:code>/attachments/<int:attachment_id>/",
        api.AttachmentDetailView.as_view(),
        name="api-dossier-attachment",
    ),
    path(
        "dossiers/<str:code>/documents/<int:document_id>/",
        api.DocumentDownloadView.as_view(),
        name="api-dossier-document",
    ),
    path("lookup/", api.LookupView.as_view(), name="api-lookup"),
    path(
        "procedures/<str:code>/form/",
        formschema_api.ProcedureFormView.as_view(),
        name="api-procedure-form",
    ),
]
