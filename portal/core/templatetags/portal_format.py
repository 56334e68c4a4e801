"""Template filters shared by the staff and citizen pages: `{% load portal_format %}`.

- `{{ moment|datetime_vn }}` → `HH:MM dd/mm/yyyy` (local time), "—" when empty;
- `{{ moment|date_vn }}` → `dd/mm/yyyy`;
- `{{ since|waited_vn }}` / `{{ since|waited_vn:now }}` → "2 giờ 5 phút" (never Django's English
  "2 minutes");
- `{{ event.details|detail_list:"items" }}` → the list stored under that key, or [] — never the
  dict's own `.items` method, which `details.items` resolves to when the key is absent."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from portal.core import dates

register = template.Library()


@register.filter
def datetime_vn(value, empty="—"):
    return dates.format_datetime(value, empty=empty) if value else empty


@register.filter
def date_vn(value, empty="—"):
    return dates.format_date(value, empty=empty) if value else empty


@register.filter
def waited_vn(value, now=None):
    return dates.waited(value, now) if value else ""


@register.filter
def detail_list(details, key):
    """The list of mappings stored under `key` in a history row's details (supplement items…)."""
    if not isinstance(details, Mapping):
        return []
    value = details.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


@register.filter
def vnd(value):
    """An amount in đồng as Vietnamese write it: 7000 → "7.000", 1250000 → "1.250.000"."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return value
    return f"{amount:,}".replace(",", ".")
