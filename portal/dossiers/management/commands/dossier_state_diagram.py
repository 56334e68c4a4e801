"""Print the dossier state machine as a Mermaid diagram, generated from the FSM itself.

    python manage.py dossier_state_diagram > docs/dossier-states.mmd

The README embeds this output, so the documented lifecycle is always the one in the code.
"""

from django.core.management.base import BaseCommand
from django_fsm import FSMField

from portal.dossiers.models import NATIONAL_STATUS_CODES, Dossier, State


def state_diagram() -> str:
    field = next(f for f in Dossier._meta.fields if isinstance(f, FSMField))
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for state in State:
        code = NATIONAL_STATUS_CODES[state]
        suffix = f" ({code})" if code is not None else ""
        lines.append(f"    {state.value}: {state.value}{suffix}")
    edges = []
    for transition in field.get_all_transitions(Dossier):
        roles = getattr(transition.permission, "roles", None)
        who = (
            "/".join(roles) if roles else getattr(transition.permission, "__name__", "").strip("_")
        )
        sources = [transition.source] if transition.source != "*" else [s.value for s in State]
        for source in sources:
            edges.append(f"    {source} --> {transition.target}: {transition.name} [{who}]")
    lines.extend(sorted(set(edges)))
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the dossier state machine (Mermaid), generated from the FSM transitions."

    def handle(self, *args, **options):
        self.stdout.write(state_diagram(), ending="")
