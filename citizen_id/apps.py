from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenIdConfig(AppConfig):
    name = "citizen_id"
    label = "citizen_id"
    verbose_name = _("Căn cước")
