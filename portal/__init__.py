# The Celery app lives in portal/celery.py and is not imported here: web workers hand tasks to
# the workers' relay without loading Celery (portal/core/dispatch.py); `celery -A portal` finds
# portal.celery.app by itself.
from .drf_optional import import_rest_framework_compat

import_rest_framework_compat()
