from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "portal.booking"
    label = "booking"
    verbose_name = _("Đặt lịch hẹn")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from portal.dossiers.models import Dossier

        from .services import release_for_closed_dossier

        # The engine does not know about appointments: when a dossier ends (withdrawn, refused,
        # stopped, result returned), its pending appointment is cancelled and the seat freed, in
        # the same transaction as the transition.
        post_save.connect(
            release_for_closed_dossier, sender=Dossier, dispatch_uid="booking-release-closed"
        )
