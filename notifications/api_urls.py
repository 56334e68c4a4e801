from django.urls import path

from notifications.api import NotificationListView
from notifications.receipts import sms_receipt

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/sms-receipts/", sms_receipt, name="api-notifications-sms-receipts"),
]
