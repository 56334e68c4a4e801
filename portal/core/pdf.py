"""PDF rendering with WeasyPrint from Django templates.

Templates extend `pdf/base.html`, which declares the embedded DejaVu fonts (full Vietnamese coverage)
from `static/fonts/`, so output never depends on fonts installed on the machine.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    from weasyprint import HTML  # imported lazily: heavy, and needs the system's Pango

    ctx = {"font_dir": FONT_DIR.as_uri(), **(context or {})}
    html = render_to_string(template_name, ctx)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a data: URI, for slips (the public lookup URL)."""
    import qrcode

    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
