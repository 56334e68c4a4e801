from django.urls import path

from portal.complaints import api

urlpatterns = [
    path("complaints/", api.ComplaintListCreateView.as_view(), name="api-complaints"),
    path("complaints/phone-code/", api.PhoneCodeView.as_view(), name="api-complaints-phone-code"),
    path("complaints/<int:pk>/", api.ComplaintDetailView.as_view(), name="api-complaint"),
    *[
        path(
            f"complaints/<int:pk>/{action}/",
            view.as_view(),
            name=f"api-complaint-{action}",
        )
        for action, view in api.CITIZEN_VIEWS.items()
    ],
    *[
        path(
            f"staff/complaints/<int:pk>/{action}/",
            view.as_view(),
            name=f"api-staff-complaint-{action}",
        )
        for action, view in api.STAFF_VIEWS.items()
    ],
    path("dossiers/<str:code>/rating/", api.RatingView.as_view(), name="api-dossier-rating"),
]
