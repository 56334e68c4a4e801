from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "portal.payments"
    label = "payments"
    verbose_name = _("Thanh toán lệ phí")

    def ready(self) -> None:
        """Register the configured provider with the engine (portal.dossiers.payments), so
        level-4 fee procedures wait for a payment that can really be made."""
        from django.conf import settings
        from django.core import checks

        from portal.dossiers import payments as engine_payments
        from portal.payments.checks import check_payment_provider

        checks.register(check_payment_provider)

        name = getattr(settings, "PAYMENT_PROVIDER", "")
        if name:
            engine_payments.register(name, "portal.payments.providers")
