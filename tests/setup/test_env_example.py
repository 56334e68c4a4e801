"""`.env.example` documents every environment variable the portal reads.

A new `env.<type>("NAME", ...)` in portal/settings.py, or an `os.environ.get("NAME")` anywhere in
the application packages, without a documented line in .env.example fails here, so the example
stays the complete reference for operators. (Test-only switches live in the README.)
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "portal" / "settings.py"
APPLICATION = ["portal", "residence", "citizen_id", "notifications"]
EXAMPLE = ROOT / ".env.example"
# `# NAME=value` (commented out, showing the default) or `NAME=value`.
ASSIGNMENT = re.compile(r"^#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=")


def variables_read_by_settings() -> set[str]:
    return variables_read_in(SETTINGS)


def variables_read_by_the_application() -> set[str]:
    names = set()
    for package in APPLICATION:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                names |= variables_read_in(path)
    return names


def variables_read_in(path: Path) -> set[str]:
    """Names passed to `env(...)`, `env.<type>(...)`, `os.environ.get/[...]` and `os.getenv`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id in {"env", "getenv"}) or (
                isinstance(func, ast.Attribute)
                and (
                    (isinstance(func.value, ast.Name) and func.value.id == "env")
                    or func.attr == "getenv"
                    or (func.attr == "get" and ast.unparse(func.value) == "os.environ")
                )
            )
            args = list(node.args) + [kw.value for kw in node.keywords if kw.arg == "var"]
            if is_env and args and isinstance(args[0], ast.Constant):
                names.add(args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def documented_variables() -> dict[str, str]:
    """Variable name -> the comment line just above its assignment line."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    documented = {}
    for index, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            above = lines[index - 1] if index else ""
            documented[match.group(1)] = above
    return documented


def test_the_parser_finds_the_variables_the_settings_are_known_to_read():
    names = variables_read_by_settings()
    # A broken parser would make the completeness test below pass vacuously.
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= names
    assert len(names) >= 25


def test_every_variable_read_by_the_settings_is_in_env_example():
    missing = variables_read_by_settings() - documented_variables().keys()
    assert not missing, f"document these in .env.example: {sorted(missing)}"


def test_every_variable_read_elsewhere_in_the_application_is_in_env_example():
    missing = variables_read_by_the_application() - documented_variables().keys()
    assert not missing, f"document these in .env.example: {sorted(missing)}"


def test_env_example_documents_nothing_the_portal_does_not_read():
    stale = documented_variables().keys() - variables_read_by_the_application()
    assert not stale, f"remove from .env.example or read them in the code: {sorted(stale)}"


def test_each_variable_has_its_own_explaining_comment_line():
    for name, above in documented_variables().items():
        assert above.startswith("#") and not ASSIGNMENT.match(above), name
        assert len(above.lstrip("# ").strip()) > 10, f"{name} needs a description line"


def test_an_unchanged_copy_of_env_example_sets_nothing(tmp_path, monkeypatch):
    # Everything is commented out, so `cp .env.example .env` keeps the developer defaults.
    copy = tmp_path / ".env"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for name in documented_variables():
        monkeypatch.delenv(name, raising=False)
    environ.Env.read_env(copy, overwrite=False)
    assert not {name for name in documented_variables() if name in os.environ}
