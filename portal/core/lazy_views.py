"""Views whose module is imported on their first request, not when the URLconf loads (issue 13:
worker memory). For rarely used views with heavy imports, e.g. drf_spectacular's schema views
(their YAML renderer imports PyYAML)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt


def lazy_view(class_path: str, **initkwargs) -> Callable[..., HttpResponse]:
    """A view that imports `class_path` (a class-based view) and calls `as_view(**initkwargs)`
    on its first request. CSRF-exempt like the DRF views it wraps: those apply their own checks
    (DRF's SessionAuthentication enforces CSRF for unsafe methods)."""
    built: list[Callable[..., HttpResponse]] = []

    @csrf_exempt
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not built:
            built.append(import_string(class_path).as_view(**initkwargs))
        return built[0](request, *args, **kwargs)

    view.__name__ = view.__qualname__ = class_path.rsplit(".", 1)[-1]
    return view
