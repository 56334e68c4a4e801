"""Blank forms (CT01, CT02 …) rendered once per version and kept in the default storage.

The PDF of a form depends on the form (code, name, template), the procedure it is downloaded for
(its name is prefilled) and the template sources (the form's template and everything it extends
or includes); not on the language (the forms are the legal Vietnamese texts). Their hash is the version: the file is stored under
`forms/<procedure>/<form>-<version>.pdf`, rendered the first time that version is asked for and
served from storage afterwards, by every web worker (nothing is kept in process memory). Editing
the procedure (its `updated_at` moves), the form or a template gives a new version, rendered
once again; old versions stay until `clear_blank_forms` or a storage clean-up removes them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portal.core import pdf

logger = logging.getLogger(__name__)

FORMAT = "1"  # bump when the rendering itself changes (fonts, WeasyPrint options)
PREFIX = "forms"


def version(*, procedure, form) -> str:
    facts = {
        "format": FORMAT,
        "form": [form.pk, form.code, form.name, form.template_name, form.legal_source],
        "procedure": [
            procedure.pk,
            procedure.code,
            procedure.name_vi,
            procedure.updated_at.isoformat() if procedure.updated_at else "",
        ],
        "template": pdf.template_fingerprint(form.template_name),
    }
    raw = json.dumps(facts, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def storage_name(*, procedure, form) -> str:
    return f"{PREFIX}/{procedure.code}/{form.code}-{version(procedure=procedure, form=form)}.pdf"


def stored_form(*, procedure, form) -> str:
    """The storage name of this form's PDF for this procedure, rendering and storing it the first
    time its version is asked for."""
    name = storage_name(procedure=procedure, form=form)
    if default_storage.exists(name):
        return name
    data = pdf.render_pdf(form.template_name, {"form": form, "procedure": procedure})
    _save(name, data)
    return name


def _save(name: str, data: bytes) -> None:
    """Write so that a reader never sees half a file: on a local file system, write a temporary
    file and rename it into place (atomic); elsewhere save under the name (a concurrent first
    download may save a second copy, harmlessly)."""
    try:
        final = default_storage.path(name)
    except NotImplementedError:
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
        return
    os.makedirs(os.path.dirname(final), exist_ok=True)
    temporary = f"{final}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, final)
