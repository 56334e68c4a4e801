from django.urls import path

from notifications.api import NotificationListView
from notifications.auth_api import (
    PasswordResetConfirmView,
    PasswordResetView,
    PhoneConfirmView,
    PhoneVerificationView,
)
from notifications.receipts import sms_receipt

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/sms-receipts/", sms_receipt, name="api-notifications-sms-receipts"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="api-auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        PasswordResetConfirmView.as_view(),
        name="api-auth-password-reset-confirm",
    ),
    path("auth/phone/", PhoneVerificationView.as_view(), name="api-auth-phone"),
    path("auth/phone/confirm/", PhoneConfirmView.as_view(), name="api-auth-phone-confirm"),
]
