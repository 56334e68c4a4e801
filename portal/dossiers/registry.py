"""Procedure plugins: how a field app (residence, citizen_id) teaches the engine a procedure.

The engine never imports a field app. A field app subclasses `ProcedurePlugin` and registers an
instance from its `AppConfig.ready()`:

    from portal.dossiers.registry import ProcedurePlugin, registry

    class TemporaryAbsencePlugin(ProcedurePlugin):
        procedure_code = "1.003677"
        form_class = TemporaryAbsenceForm
        ...

    registry.register(TemporaryAbsencePlugin())

What a plugin decides: the form (fields and validation), the initial data prefilled from what the
portal knows of the citizen, extra validation, the required attachments (by default the catalogue's
mandatory documents), what approval does (registry effect, inside the approval transaction), and
which result document it produces.

No plugin, no online filing: a procedure is offered for online filing (pages, API, catalogue
buttons) only when a plugin is registered for its code; a published procedure at level 3 or 4
without one fails `manage.py check` (portal/dossiers/checks.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms

if TYPE_CHECKING:
    from portal.catalogue.models import RequiredDocument
    from portal.dossiers.models import Dossier


@dataclass(frozen=True)
class ResultDocumentSpec:
    """The result document a plugin produces on approval."""

    template_name: str  # e.g. "residence/pdf/ct03.html", rendered with portal.core.pdf
    title: str
    context: dict[str, Any] = field(default_factory=dict)


class ProcedurePlugin:
    procedure_code: str = ""
    form_class: type[forms.Form] = forms.Form

    # Slips the engine issues, by kind ("receipt", "supplement", "refusal") → template; a kind not
    # listed uses the engine's residence slips CT04 / CT05 / CT06 (see portal.dossiers.services).
    # Identity procedures issue CC02 (appointment) and CC03 (refusal) of Circular 17/2024/TT-BCA.
    slip_templates: dict[str, str] = {}

    # Stay-notice style procedures: a valid submission is recorded at once (the engine approves
    # and completes it in the submit transaction, with no staff step and no deadline).
    records_on_submit: bool = False
    # The keys `initial()` may fill, when the plugin declares them: a draft created with all of
    # them typed does not call `initial()` (its values would be overwritten anyway).
    initial_fields: tuple[str, ...] | None = None

    def area_for(self, *, dossier: Dossier, data: dict[str, Any]):
        """The commune (AdministrativeArea) of the address concerned, to route the dossier to its
        commune police; None keeps the area the citizen chose."""
        return None

    def deadline_working_days(self, *, dossier: Dossier):
        """Working days to resolve this dossier (Decimal, e.g. 0.5), or None for the catalogue's."""
        return None

    def initial(self, *, citizen) -> dict[str, Any]:
        """Form data prefilled from what the state already knows (Decision 06/QĐ-TTg)."""
        return {}

    def clean(self, *, dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
        """Validate the form data; raise django ValidationError with Vietnamese messages.

        Returns the cleaned, JSON-serialisable data stored on the dossier.
        """
        from portal.dossiers.formfields import validate_form

        cleaned, errors, _fields = validate_form(self.form_class, data)
        if errors:
            # field → [ValidationError]: messages stay messages (get_json_data() would make
            # each {"message", "code"} dict read as two messages, the code shown to people).
            raise forms.ValidationError(errors)
        return {k: _jsonable(v) for k, v in cleaned.items()}

    def required_documents(self, *, dossier: Dossier) -> list[RequiredDocument]:
        return [d for d in dossier.procedure.required_documents.all() if d.is_mandatory]

    def approve(self, *, dossier: Dossier, actor) -> ResultDocumentSpec | None:
        """Apply the effect of approval (e.g. write the registry). Runs inside the approval
        transaction: raising rolls back both the effect and the state change."""
        return None

    def needs_visit(self, *, dossier: Dossier) -> tuple[bool, str]:
        """Whether the citizen must come to the unit (then books a slot, portal.booking), and why."""
        return False, ""

    def slip_context(self, *, dossier: Dossier, kind: str) -> dict[str, Any]:
        """Extra JSON values frozen into a slip or the filled form (kind "receipt", "supplement",
        "refusal" or "form"), added over the engine's document context (may replace `title`)."""
        return {}

    def fee_waived(self, *, dossier: Dossier) -> bool:
        """True when this dossier owes no fee although the catalogue lists one (e.g. a renewal
        caused by a change of administrative boundaries)."""
        return False

    def form_context(self, *, dossier: Dossier) -> dict[str, Any]:
        """Extra values for the procedure's form (tờ khai, e.g. CT01) filled from this dossier:
        keys of the `f` dict the form templates read (head_name, members …); see
        portal.dossiers.services.filled_form_values."""
        return {}

    def summary(self, *, dossier: Dossier) -> list[tuple[str, str]]:
        """Label/value pairs describing the request, for slips and the staff view."""
        form = self.form_class()
        rows = []
        for name, value in dossier.form_data.items():
            field_ = form.fields.get(name)
            label = field_.label if field_ is not None else name
            rows.append((str(label), _display(field_, value)))
        return rows


def _display(field_: forms.Field | None, value) -> str:
    """A stored form value as people read it: dates dd/mm/yyyy, choices by their label."""
    import datetime as dt

    if value in (None, ""):
        return ""
    if isinstance(field_, forms.DateField) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(field_, forms.ChoiceField):
        return str(dict(field_.choices).get(value, value))
    return str(value)


def _jsonable(value):
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return value.pk
    return value


class ProcedureRegistry:
    def __init__(self) -> None:
        self._plugins: dict[str, ProcedurePlugin] = {}

    def register(self, plugin: ProcedurePlugin) -> ProcedurePlugin:
        if not plugin.procedure_code:
            raise ValueError("A procedure plugin needs a procedure_code.")
        if plugin.procedure_code in self._plugins:
            raise ValueError(f"Procedure {plugin.procedure_code} is already registered.")
        self._plugins[plugin.procedure_code] = plugin
        return plugin

    def unregister(self, procedure_code: str) -> None:
        self._plugins.pop(procedure_code, None)

    def get(self, procedure_code: str) -> ProcedurePlugin | None:
        return self._plugins.get(procedure_code)

    def is_registered(self, procedure_code: str) -> bool:
        return procedure_code in self._plugins

    def codes(self) -> list[str]:
        return sorted(self._plugins)


registry = ProcedureRegistry()
