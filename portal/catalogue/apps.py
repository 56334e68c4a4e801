from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "portal.catalogue"
    label = "catalogue"
    verbose_name = _("Danh mục thủ tục")

    def ready(self) -> None:
        from .cache import connect_signals

        connect_signals()
