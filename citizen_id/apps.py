from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenIdConfig(AppConfig):
    name = "citizen_id"
    label = "citizen_id"
    verbose_name = _("Căn cước")

    def ready(self) -> None:
        from citizen_id.procedures import all_plugins
        from portal.dossiers.registry import registry

        for plugin in all_plugins():
            if not registry.is_registered(plugin.procedure_code):
                registry.register(plugin)
