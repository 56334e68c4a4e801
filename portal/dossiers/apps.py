from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "portal.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from portal.dossiers.checks import check_no_hollow_procedure

        checks.register(check_dossier_code_format)
        checks.register(check_no_hollow_procedure)


def check_dossier_code_format(app_configs=None, **kwargs):
    """manage.py check (and start-up) refuses a code format that could repeat or overflow."""
    from django.conf import settings

    from portal.dossiers.codes import check_code_format

    problem = check_code_format(settings.DOSSIER_CODE_FORMAT)
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint="Use {unit}, {date:%Y%m%d} and {seq:04d}, e.g. '{unit}-{date:%Y%m%d}-{seq:07d}'.",
            id="dossiers.E001",
        )
    ]
