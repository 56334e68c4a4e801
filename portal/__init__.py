from .celery import app as celery_app
from .drf_optional import import_rest_framework_compat

import_rest_framework_compat()

__all__ = ("celery_app",)
