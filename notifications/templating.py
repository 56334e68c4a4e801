"""Rendering notification templates (Django template syntax) and checking their placeholders."""

from __future__ import annotations

import functools

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Variable, VariableNode
from django.template.defaulttags import ForNode
from django.utils.html import linebreaks


class TemplateContextError(ValueError):
    """The caller of notify() did not pass a value the template needs: a bug at the source."""


@functools.cache
def _engine(autoescape: bool) -> Engine:
    return Engine(autoescape=autoescape, string_if_invalid="", libraries={})


@functools.lru_cache(maxsize=256)
def compile_template(source: str, *, html: bool = False) -> Template:
    return Template(source or "", engine=_engine(html))


def _root(fe: FilterExpression) -> str | None:
    var = fe.var
    if isinstance(var, Variable) and var.lookups:
        return var.lookups[0]
    return None


@functools.lru_cache(maxsize=256)
def placeholders(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """(required, optional) top-level names used by `source`. A name with `|default` is optional."""
    template = compile_template(source)
    loop_vars: set[str] = set()
    required: set[str] = set()
    optional: set[str] = set()
    for node in template.nodelist.get_nodes_by_type(ForNode):
        loop_vars.update(node.loopvars)
        if name := _root(node.sequence):
            required.add(name)
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        fe = node.filter_expression
        name = _root(fe)
        if not name:
            continue
        if any(getattr(func, "__name__", "") == "default" for func, _args in fe.filters):
            optional.add(name)
        else:
            required.add(name)
    required -= loop_vars | {"forloop"}
    optional -= loop_vars | required | {"forloop"}
    return frozenset(required), frozenset(optional)


def check_source(source: str, allowed: frozenset[str]) -> list[str]:
    """Problems with a template source for staff editing it: syntax, unknown placeholders."""
    try:
        required, optional = placeholders(source)
    except TemplateSyntaxError as exc:
        return [str(exc)]
    unknown = sorted((required | optional) - allowed)
    return [f"{{{{ {name} }}}}" for name in unknown]


def check_context(source: str, context: dict, *, where: str) -> None:
    required, _optional = placeholders(source)
    missing = sorted(name for name in required if name not in context)
    if missing:
        raise TemplateContextError(
            f"{where}: missing context value(s) {', '.join(missing)}; "
            f"the template needs {', '.join(sorted(required))}"
        )


def render_text(source: str, context: dict) -> str:
    return compile_template(source).render(Context(context, autoescape=False)).strip()


def render_html(source: str, context: dict) -> str:
    return compile_template(source, html=True).render(Context(context, autoescape=True)).strip()


def html_from_text(text: str) -> str:
    """Minimal HTML alternative of a text email (escaped, paragraphs and line breaks kept)."""
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,sans-serif;line-height:1.5">'
        f"{linebreaks(text, autoescape=True)}</body></html>"
    )
