"""Import `rest_framework.compat` without the optional integrations the portal does not use.

DRF's compat module imports `requests` (only for `rest_framework.test.RequestsClient`), `pygments`
and `markdown` (syntax highlighting and Markdown view descriptions in the browsable API and the
coreapi docs) whenever they are installed. `requests` is installed for the notification workers'
SMS gateway and `pygments` comes with the development tools, so every web worker kept about
6 MB of modules (requests, urllib3, charset_normalizer, idna, pygments) that no request path
uses. Imported first (portal/__init__.py), compat sees them as absent; afterwards they import
normally for the code that needs them (notifications, payments).
"""

from __future__ import annotations

import sys

UNUSED_BY_DRF = ("requests", "pygments", "markdown")


def import_rest_framework_compat() -> None:
    if "rest_framework.compat" in sys.modules:
        return
    hidden = [name for name in UNUSED_BY_DRF if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` raises ImportError while this is set
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
