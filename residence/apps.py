from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidenceConfig(AppConfig):
    name = "residence"
    label = "residence"
    verbose_name = _("Cư trú")

    def ready(self) -> None:
        from portal.dossiers.registry import registry
        from residence.procedures import all_plugins

        for plugin in all_plugins():
            if not registry.is_registered(plugin.procedure_code):
                registry.register(plugin)

        from residence import admin_stays

        admin_stays.register()
