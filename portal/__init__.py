from .drf_optional import UNUSED_BY_CELERY, import_rest_framework_compat, without

with without(UNUSED_BY_CELERY):  # portal/drf_optional.py: optional integrations not used here
    from .celery import app as celery_app

import_rest_framework_compat()

__all__ = ("celery_app",)
