"""GET /api/v1/notifications/: the signed-in citizen's own notices."""

from __future__ import annotations

from rest_framework import generics, permissions, serializers

from notifications.events import EVENT_CHOICES
from notifications.models import Channel, Notification, Status
from notifications.selectors import notifications_for
from notifications.services import REDACTED


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="reference", read_only=True)
    event_label = serializers.CharField(source="get_event_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    body = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "event_label",
            "channel",
            "channel_label",
            "status",
            "status_label",
            "dossier_code",
            "subject",
            "body",
            "created_at",
            "sent_at",
            "delivered_at",
        ]

    def get_body(self, obj) -> str:
        return REDACTED if obj.sensitive else obj.body


class NotificationFilter(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    event = serializers.ChoiceField(choices=EVENT_CHOICES, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    dossier_code = serializers.CharField(required=False, max_length=64)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class NotificationListView(generics.ListAPIView):
    """The caller's notices (SMS and email), newest first. Filters: channel, event, status,
    dossier_code, since, until (ISO 8601)."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = NotificationFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return notifications_for(user=self.request.user, filters=params.validated_data)
