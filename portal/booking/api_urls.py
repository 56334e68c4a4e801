from django.urls import path

from . import api

urlpatterns = [
    path(
        "booking/units/<str:unit_code>/slots/",
        api.UnitSlotsView.as_view(),
        name="api-booking-slots",
    ),
    path(
        "booking/appointments/",
        api.AppointmentListView.as_view(),
        name="api-booking-appointments",
    ),
    path(
        "booking/appointments/<int:pk>/",
        api.AppointmentDetailView.as_view(),
        name="api-booking-appointment",
    ),
    path(
        "booking/appointments/<int:pk>/move/",
        api.AppointmentMoveView.as_view(),
        name="api-booking-appointment-move",
    ),
    path(
        "booking/appointments/<int:pk>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="api-booking-appointment-cancel",
    ),
]
