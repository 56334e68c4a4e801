from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidenceConfig(AppConfig):
    name = "residence"
    label = "residence"
    verbose_name = _("Cư trú")

    def ready(self) -> None:
        from portal.dossiers.registry import registry
        from residence.plugins import TemporaryAbsencePlugin

        if not registry.is_registered(TemporaryAbsencePlugin.procedure_code):
            registry.register(TemporaryAbsencePlugin())
