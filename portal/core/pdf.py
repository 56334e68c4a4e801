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

# How many PDFs this process has laid out with WeasyPrint. Request paths serve stored files and
# never render: tests read this counter to prove it (a document downloaded twice renders once).
render_count = 0


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    from weasyprint import HTML  # imported lazily: heavy, and needs the system's Pango

    global render_count
    render_count += 1
    ctx = {"font_dir": FONT_DIR.as_uri(), **(context or {})}
    html = render_to_string(template_name, ctx)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def template_fingerprint(template_name: str) -> str:
    """A hash of a template's source and of every template it extends or includes (constant
    names), so a stored rendering can be keyed by the version of what produced it."""
    import hashlib

    from django.template.loader import get_template
    from django.template.loader_tags import ExtendsNode, IncludeNode

    digest = hashlib.sha256()
    seen: set[str] = set()
    pending = [template_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        template = get_template(name).template
        digest.update(name.encode() + b"\0" + template.source.encode() + b"\0")
        for node in template.nodelist.get_nodes_by_type(ExtendsNode):
            if isinstance(node.parent_name.var, str):
                pending.append(str(node.parent_name.var))
        for node in template.nodelist.get_nodes_by_type(IncludeNode):
            if isinstance(getattr(node.template, "var", None), str):
                pending.append(str(node.template.var))
    return digest.hexdigest()


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a data: URI, for slips (the public lookup URL)."""
    import qrcode

    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
