"""Template tags that give Django forms and text the GOV.UK markup.

Loaded as a builtin (see TEMPLATES in settings), so templates need no ``{% load %}``.
"""

from functools import lru_cache
from html import escape as _html_escape

from django import forms, template
from django.forms.forms import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from safeguarding.core import govuk_markup
from safeguarding.core import rule_sources as _rule_sources
from safeguarding.core.pagination import pagination_html

register = template.Library()

_INPUT_CLASSES = {
    "input": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "file": "govuk-file-upload",
}


def _kind(widget: forms.Widget) -> str:
    kind = getattr(widget, "govuk_kind", None)
    if kind:
        return kind
    # CheckboxSelectMultiple is a subclass of RadioSelect: test it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def field_anchor(bound_field: forms.BoundField) -> str:
    """The id the error summary links to: the field, or its first choice or date part."""
    kind = _kind(bound_field.field.widget)
    if kind in ("radios", "checkboxes"):
        subwidgets = list(bound_field.subwidgets)
        if subwidgets:
            return subwidgets[0].data["attrs"].get("id") or bound_field.auto_id
    if kind == "date":
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag
def govuk_field(field: forms.BoundField) -> str:
    """Render one bound field as a GOV.UK form group: ``govuk/forms/<kind>.html``, or the same
    markup written in Python (``core.govuk_markup``, issue 16)."""
    kind, context = field_context(field)
    write = govuk_markup.writer_for(kind)
    if write is not None:
        return mark_safe(write(context))  # every value in it is escaped
    return render_to_string(f"govuk/forms/{kind}.html", context)


def field_context(field: forms.BoundField) -> tuple[str, dict]:
    """The field's kind and its template's context."""
    widget = field.field.widget
    kind = _kind(widget)
    errors = list(field.errors)
    hint_id = f"{field.auto_id}-hint" if field.help_text else ""
    error_id = f"{field.auto_id}-error" if errors else ""
    describedby = " ".join(part for part in (hint_id, error_id) if part)
    context = {
        "field": field,
        "kind": kind,
        "errors": errors,
        "hint_id": hint_id,
        "error_id": error_id,
        "describedby": describedby,
        "label_classes": getattr(field.field, "govuk_label_classes", ""),
    }
    if kind in _INPUT_CLASSES:
        css = _INPUT_CLASSES[kind] + (f" {_INPUT_CLASSES[kind]}--error" if errors else "")
        extra = widget.attrs.get("class", "")
        attrs = {"class": f"{css} {extra}".strip()}
        if describedby:
            attrs["aria-describedby"] = describedby
        context["widget_html"] = field.as_widget(attrs=attrs)
    elif kind in ("radios", "checkboxes"):
        # A RadioSelect's ``choice_hints`` ({value: text}) gives each radio its own GOV.UK hint.
        hints = getattr(widget, "choice_hints", None) or {}
        context["items"] = [
            {
                "id": sub.data["attrs"].get("id"),
                "value": sub.data["value"],
                "label": sub.choice_label,
                "checked": sub.data["selected"],
                "hint": hints.get(str(sub.data["value"]), ""),
            }
            for sub in field.subwidgets
        ]
    elif kind == "checkbox":
        attrs = {"class": "govuk-checkboxes__input"}
        if describedby:
            attrs["aria-describedby"] = describedby
        context["widget_html"] = field.as_widget(attrs=attrs)
    elif kind == "date":
        if field.form.is_bound:
            values = widget.value_from_datadict(field.form.data, field.form.files, field.html_name)
        else:
            values = widget.decompress(field.value())
        parts = []
        for index, (label, width) in enumerate((("Day", 2), ("Month", 2), ("Year", 4))):
            value = values[index] if values and index < len(values) else ""
            parts.append(
                {
                    "id": f"{field.auto_id}_{index}",
                    "name": f"{field.html_name}_{index}",
                    "label": label,
                    "width": width,
                    "value": "" if value is None else value,
                }
            )
        context["parts"] = parts
    return kind, context


@register.inclusion_tag("govuk/error_summary.html")
def error_summary(*forms_to_check) -> dict:
    """The GOV.UK error summary for one or more forms, linking each message to its field."""
    items = []
    for form in forms_to_check:
        if not form or not getattr(form, "errors", None):
            continue
        for message in form.non_field_errors():
            items.append({"text": message, "href": ""})
        for name, messages in form.errors.items():
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            anchor = field_anchor(form[name])
            for message in messages:
                items.append({"text": message, "href": f"#{anchor}"})
    return {"items": items}


@register.filter(needs_autoescape=True)
def govuk_text(value: str, autoescape: bool = True) -> str:
    """Plain text to GOV.UK paragraphs: blank lines separate paragraphs; lines starting
    with "- " become a bulleted list. Everything is escaped; no HTML passes through (each line
    by ``html.escape``, what Django's ``escape`` does without its lazy-string wrapper)."""
    if not value:
        return ""
    if type(value) is str and len(value) <= KEPT_TEXT_LENGTH:
        return _kept_govuk_text(value)
    return _govuk_text(value)


# A text's paragraphs depend on nothing but the text: those of the most recent texts up to this
# long are kept (the Reviews page's forty sections, a library record's summary and learning,
# written again on every request; issue 16). At most about 1,024 × 8,000 characters held.
KEPT_TEXT_LENGTH = 8_000


@lru_cache(maxsize=1024)
def _kept_govuk_text(value: str) -> SafeString:
    return _govuk_text(value)


def _govuk_text(value) -> SafeString:
    # Escaped whole, once (issue 16: a line at a time cost the Reviews page's forty sections a
    # call per line): escaping changes no white space and no "- ", so the lines, their
    # stripping and the lists come out as escaping each line gave them.
    text = _html_escape(str(value).replace("\r\n", "\n"))
    html = []
    for block in text.split("\n\n"):
        lines = [stripped for line in block.split("\n") if (stripped := line.strip())]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{line[2:].strip()}</li>" for line in lines)
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            html.append(f'<p class="govuk-body">{"<br>".join(lines)}</p>')
    return mark_safe("\n".join(html))


@register.filter
def rule_source(rule_id: str) -> str:
    """One rule ID as its guidance in plain words (core/rule_sources.py): never "R9" on screen."""
    return _rule_sources.rule_source(str(rule_id))


@register.filter
def rules_in_words(text) -> str:
    """Text that may carry rule IDs (screening reasons, deadline rules), with each ID replaced by
    its guidance in plain words."""
    return _rule_sources.rules_in_words(str(text))


@register.simple_tag(takes_context=True)
def govuk_pagination(context) -> SafeString:
    """``{% include "govuk/pagination.html" %}``'s markup for the context's ``pagination`` and
    ``pagination_label``, written in Python (``core.pagination.pagination_html``)."""
    return pagination_html(context.get("pagination"), context.get("pagination_label", ""))
