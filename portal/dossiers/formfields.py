"""Form fields a procedure form may use beyond Django's own.

`ItemListField`: a list of items each validated by a small form (guests of a stay notice,
household members). Its value is a list of dicts; API clients send a JSON array, the citizen page
sends rows `<name>-<i>-<field>` (see `ItemListWidget`). The form-as-data API describes it as
`{"type": "list", "item_fields": [...]}`.
"""

from __future__ import annotations

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@functools.cache
def _is_plain(form_class: type[forms.Form]) -> bool:
    """A form whose validation is only its fields' own: no form-level clean, no clean_<field>,
    no disabled or file field, no prefix (then `clean_plain` gives what `is_valid()` gives)."""
    if (
        form_class.clean is not forms.Form.clean
        or form_class._post_clean is not forms.Form._post_clean
    ):
        return False
    if form_class.prefix is not None:
        return False
    return not any(
        field.disabled or isinstance(field, forms.FileField) or hasattr(form_class, f"clean_{name}")
        for name, field in form_class.base_fields.items()
    )


def clean_plain(
    form_class: type[forms.Form], data
) -> tuple[dict, dict[str, list[ValidationError]]] | None:
    """(cleaned_data, field → errors as `form.errors.as_data()` gives them) of `form_class`
    bound to `data`, validated with the class's own fields: no form instance (no deep copy of its
    fields and widgets, the larger part of a small form's validation). None when the form is not
    plain (`_is_plain`): then instantiate it."""
    if not _is_plain(form_class):
        return None
    cleaned: dict = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, field in form_class.base_fields.items():
        value = field.widget.value_from_datadict(data, {}, name)
        try:
            cleaned[name] = field.clean(value)
        except ValidationError as exc:
            errors[name] = list(exc.error_list)
    return cleaned, errors


def validate_form(form_class: type[forms.Form], data) -> tuple[dict, dict, dict]:
    """(cleaned_data, field → [ValidationError], fields) of `form_class` bound to `data`, as
    `form.is_valid()` gives them: without a form instance when the form is plain
    (`clean_plain`), otherwise through an instance."""
    plain = clean_plain(form_class, data)
    if plain is not None:
        return plain[0], plain[1], form_class.base_fields
    form = form_class(data=data)
    form.is_valid()
    return form.cleaned_data, form.errors.as_data(), form.fields


class ItemListWidget(forms.Widget):
    """Rows of the item form's fields, named `<name>-<i>-<field>`; blank rows are ignored.

    Each row is a fieldset with its legend ("Khách 1") and a label for every input. A "Thêm dòng"
    submit button (`add_row=<name>`, no JavaScript) asks the page for one more empty row; the hidden
    `<name>-rows` says how many rows were shown, so a re-rendered page keeps them (see
    `prepare_item_lists`)."""

    template_name = "dossiers/widgets/item_list.html"

    def __init__(
        self,
        item_form: type[forms.Form],
        attrs=None,
        *,
        item_label: str = "",
        min_rows: int = 1,
        max_rows: int = 50,
    ):
        super().__init__(attrs)
        self.item_form = item_form
        self.item_label = item_label
        self.min_rows = max(min_rows, 1)
        self.max_rows = max_rows
        self.rows_wanted: int | None = None  # set by prepare_item_lists on a re-rendered page

    def render(self, name, value, attrs=None, renderer=None):
        """Rendered with the project's templates (templates/dossiers/widgets/), whichever form
        renderer the settings choose."""
        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data, files, name):
        if name in data and not hasattr(data, "getlist"):
            return data.get(name)  # a JSON body: the list itself
        items: dict[int, dict] = {}
        prefix = f"{name}-"
        for key in data:
            if not key.startswith(prefix):
                continue
            index, _sep, field_name = key[len(prefix) :].partition("-")
            if index.isdigit() and field_name:
                items.setdefault(int(index), {})[field_name] = data.get(key)
        if not items and name in data:
            return data.get(name)
        rows = [items[i] for i in sorted(items)]
        return [row for row in rows if any(str(v).strip() for v in row.values() if v is not None)]

    def value_omitted_from_data(self, data, files, name):
        prefix = f"{name}-"
        return name not in data and not any(key.startswith(prefix) for key in data)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [r if isinstance(r, dict) else {} for r in value] if isinstance(value, list) else []
        wanted = self.rows_wanted if self.rows_wanted is not None else self.min_rows
        total = max(len(rows), min(wanted, self.max_rows), 1)
        rows += [{}] * (total - len(rows))
        label = str(self.item_label or _("Dòng"))
        context["widget"]["rows"] = [
            {
                "legend": f"{label} {i}",
                "form": self.item_form(initial=row, prefix=f"{name}-{i - 1}"),
            }
            for i, row in enumerate(rows, start=1)
        ]
        context["widget"]["count"] = total
        context["widget"]["can_add"] = total < self.max_rows
        return context


def prepare_item_lists(form: forms.Form, data, *, add_row: str | None = None) -> None:
    """Before a filing page is rendered again from a POST: each list shows as many rows as the page
    had (typed rows first), plus one when its "Thêm dòng" button (`add_row`) was pressed."""
    for name, field in form.fields.items():
        if not isinstance(field, ItemListField) or not isinstance(field.widget, ItemListWidget):
            continue
        html_name = form.add_prefix(name)
        try:
            shown = int(data.get(f"{html_name}-rows") or 0)
        except (TypeError, ValueError):
            shown = 0
        typed = field.widget.value_from_datadict(data, None, html_name)
        wanted = max(shown, len(typed) if isinstance(typed, list) else 0)
        if add_row == html_name:
            wanted += 1
        field.widget.rows_wanted = min(max(wanted, 1), field.max_items)


class ItemListField(forms.Field):
    default_error_messages = {
        "invalid": gettext_lazy("Danh sách không hợp lệ."),
        "required": gettext_lazy("Vui lòng nhập ít nhất một dòng."),
    }

    def __init__(
        self,
        *,
        item_form: type[forms.Form],
        item_label: str = "",
        min_items: int = 1,
        max_items: int = 50,
        **kwargs,
    ):
        self.item_form = item_form
        self.item_label = item_label
        self.min_items = min_items
        self.max_items = max_items
        kwargs.setdefault(
            "widget",
            ItemListWidget(
                item_form, item_label=item_label, min_rows=min_items, max_rows=max_items
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def validate(self, value):
        if self.required and len(value) < max(self.min_items, 1):
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(
                _("Tối đa %(n)d dòng mỗi lần khai.") % {"n": self.max_items}, code="max_items"
            )

    def clean(self, value):
        items = super().clean(value)
        cleaned, errors = [], []
        label = self.item_label or _("Dòng")
        for i, item in enumerate(items, start=1):
            item_data, item_errors, fields = validate_form(self.item_form, item)
            if not item_errors:
                cleaned.append(item_data)
                continue
            for field_name, field_errors in item_errors.items():
                field = fields.get(field_name)
                where = f"{label} {i}" + (f" – {field.label}" if field is not None else "")
                # The item's own code is kept (e.g. max_length: a draft refuses an overlong value).
                errors.extend(
                    ValidationError(f"{where}: {m}", code=e.code or "item_invalid")
                    for e in field_errors
                    for m in e.messages
                )
        if errors:
            raise ValidationError(errors)
        return cleaned
