"""The README's dossier lifecycle is the one in the code."""

from pathlib import Path

from django.conf import settings

from portal.dossiers.management.commands.dossier_state_diagram import state_diagram


def test_readme_state_diagram_is_generated_from_the_fsm():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    diagram = state_diagram()
    assert "```mermaid\n" + diagram + "```" in readme, (
        "README.md is out of date: paste `python manage.py dossier_state_diagram` into it"
    )
    # every transition of the engine appears, with who may do it
    for edge in (
        "submitted --> received: receive",
        "processing --> approved: approve [unit_leader]",
    ):
        assert edge in diagram
