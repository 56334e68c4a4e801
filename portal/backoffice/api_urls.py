from django.urls import path

from portal.backoffice import api

urlpatterns = [
    path("staff/dossiers/", api.StaffDossierListView.as_view(), name="api-staff-dossiers"),
    path(
        "staff/refusal-reasons/",
        api.RefusalReasonListView.as_view(),
        name="api-staff-refusal-reasons",
    ),
    path(
        "staff/dossiers/<str:code>/", api.StaffDossierDetailView.as_view(), name="api-staff-dossier"
    ),
    *[
        path(
            f"staff/dossiers/<str:code>/{action}/",
            view.as_view(),
            name=f"api-staff-dossier-{action.replace('_', '-')}",
        )
        for action, view in api.ACTION_VIEWS.items()
    ],
]
