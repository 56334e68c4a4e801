from django.urls import path

from portal.postal.api import PostalEventView

urlpatterns = [
    path("postal/events/", PostalEventView.as_view(), name="postal-events"),
]
