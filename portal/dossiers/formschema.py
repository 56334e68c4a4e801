"""A procedure's form as data (`GET /api/v1/procedures/{code}/form/`).

Generic: walks the plugin's `form_class()` fields in order and maps each Django form field to a
type a client can render ("text", "textarea", "date", "datetime", "choice", "boolean", …; an
`ItemListField` is "list" with its own `item_fields`). The documents are the rows the filing page
shows (catalogue documents, mandatory as the plugin decides, plus the plugin's own), and `initial`
is what the plugin prefills for a logged-in citizen. The citizen pages render the same form class.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name

from portal.catalogue.models import Procedure, RequiredDocument
from portal.dossiers.formfields import ItemListField
from portal.dossiers.registry import ProcedurePlugin

FIELD_TYPES = (
    "text",
    "textarea",
    "date",
    "datetime",
    "time",
    "choice",
    "multichoice",
    "boolean",
    "integer",
    "number",
    "email",
    "url",
    "file",
    "list",
)


def field_type(field: forms.Field) -> str:
    """The data type of a Django form field, as the form API names it."""
    if isinstance(field, ItemListField):
        return "list"
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return "boolean"
    if isinstance(field, forms.DateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TimeField):
        return "time"
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return "multichoice"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(field, forms.EmailField):
        return "email"
    if isinstance(field, forms.URLField):
        return "url"
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
        return "textarea"
    return "text"


def _choices(field: forms.Field) -> list[dict[str, str]] | None:
    if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return None
    rows = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup: its options, flattened
            rows += [{"value": str(v), "label": str(lbl)} for v, lbl in label]
        elif str(value) != "":  # the empty "---------" choice is not a value
            rows.append({"value": str(getattr(value, "value", value)), "label": str(label)})
    return rows


def describe_field(name: str, field: forms.Field) -> dict[str, Any]:
    kind = field_type(field)
    row: dict[str, Any] = {
        "name": name,
        "type": kind,
        "label": str(field.label) if field.label else pretty_name(name),
        "required": bool(field.required),
        "choices": _choices(field),
        "help_text": str(field.help_text or ""),
        "max_length": getattr(field, "max_length", None),
    }
    if kind == "list":
        row["item_label"] = str(field.item_label or "")
        row["item_fields"] = describe_form(field.item_form)
        row["min_items"] = field.min_items
        row["max_items"] = field.max_items
    return row


def describe_form(form_class: type[forms.Form]) -> list[dict[str, Any]]:
    """The fields of a form class, in order."""
    form = form_class()
    return [describe_field(name, field) for name, field in form.fields.items()]


def _document(doc: RequiredDocument, *, mandatory: bool) -> dict[str, Any]:
    copy_kind = doc.copy_kind or RequiredDocument.CopyKind.ORIGINAL_OR_COPY
    return {
        "key": doc.key,
        "name": str(doc.name),
        "mandatory": mandatory,
        "copy_kind": str(copy_kind),
        "copy_kind_label": str(RequiredDocument.CopyKind(copy_kind).label)
        if copy_kind in RequiredDocument.CopyKind.values
        else str(copy_kind),
        "quantity": doc.quantity or 1,
        "note": str(doc.note or ""),
    }


def documents(*, procedure: Procedure, plugin: ProcedurePlugin) -> list[dict[str, Any]]:
    """The papers to attach, as the filing page lists them: the catalogue's documents (mandatory
    when the plugin requires them for a new dossier), then any the plugin adds."""
    from portal.dossiers.models import Dossier

    probe = Dossier(procedure=procedure)
    required = list(plugin.required_documents(dossier=probe))
    mandatory = {d.key for d in required}
    rows = [
        _document(doc, mandatory=doc.key in mandatory) for doc in procedure.required_documents.all()
    ]
    known = {row["key"] for row in rows}
    for doc in required:
        if doc.key not in known:
            rows.append(_document(doc, mandatory=True))
            known.add(doc.key)
    return rows


def describe(*, procedure: Procedure, plugin: ProcedurePlugin, user=None) -> dict[str, Any]:
    """The whole form-as-data answer for one procedure."""
    from portal.dossiers.services import _json_safe

    initial: dict[str, Any] = {}
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if authenticated and getattr(user, "is_citizen", False):  # staff and anonymous: nothing
        initial = _json_safe(dict(plugin.initial(citizen=user)))
    return {
        "procedure": procedure.code,
        "fields": describe_form(plugin.form_class),
        "documents": documents(procedure=procedure, plugin=plugin),
        "initial": initial,
    }
