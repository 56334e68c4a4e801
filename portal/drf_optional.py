"""Import `rest_framework.compat` without the optional integrations the portal does not use.

DRF's compat module imports `requests` (only for `rest_framework.test.RequestsClient`), `pygments`
and `markdown` (syntax highlighting and Markdown view descriptions in the browsable API and the
coreapi docs) and `yaml` (DRF's own OpenAPIRenderer; the portal's schema is drf_spectacular's)
whenever they are installed. `requests` is installed for the notification workers'
SMS gateway and `pygments` comes with the development tools, so every web worker kept about
6 MB of modules (requests, urllib3, charset_normalizer, idna, pygments) that no request path
uses. Imported first (portal/__init__.py), compat sees them as absent; afterwards they import
normally for the code that needs them (notifications, payments).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

UNUSED_BY_DRF = ("requests", "pygments", "markdown", "yaml")

# Celery/kombu import these when installed, for features the portal does not use: kombu's YAML
# serializer (the portal sends and accepts JSON only) and Brotli compression (messages are not
# compressed), Celery's greenlet-based context idents (no gevent/eventlet pool: thread idents).
# PyYAML is installed for the catalogue loader and greenlet comes with the development tools;
# together about 2.4 MB per web worker.
UNUSED_BY_CELERY = ("yaml", "brotli", "greenlet")


@contextlib.contextmanager
def without(names: tuple[str, ...]) -> Iterator[None]:
    """While active, `import name` raises ImportError for each of `names` not yet imported;
    afterwards they import normally."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` raises ImportError while this is set
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def import_rest_framework_compat() -> None:
    if "rest_framework.compat" in sys.modules:
        return
    with without(UNUSED_BY_DRF):
        import rest_framework.compat  # noqa: F401
