"""Django's input and text area widgets' markup, written in Python (issue 16).

Each function gives exactly what Django's form renderer gives for the template of the same
name (the sources are below, copied from Django 5.2; the renderer strips the rendering, so the
templates' last line ends are not in it). ``writer_for`` checks once per template name that
the template Django would use has that source, so an upgrade that changes one, or a project
template that overrides one, goes back to the template.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.defaultfilters import stringformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

ATTRS = "django/forms/widgets/attrs.html"
INPUT = "django/forms/widgets/input.html"
TEXTAREA = "django/forms/widgets/textarea.html"

SOURCES = {
    ATTRS: "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}",
    INPUT: '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
    " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n',
    TEXTAREA: '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "\n{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n",
}
# The widgets whose template is only the input's, and a line end.
WRAPPER_SOURCE = '{% include "django/forms/widgets/input.html" %}\n'
WRAPPERS = [
    f"django/forms/widgets/{name}.html"
    for name in [
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
]


def _text(value) -> str:
    """``{{ value }}`` in an autoescaped template, for the strings a widget holds."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    formatted = stringformat(value, "s")
    if isinstance(value, SafeData):
        formatted = mark_safe(formatted)
    return conditional_escape(formatted)


def attrs(widget: dict) -> str:
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in widget["attrs"].items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 - as {% if %}
    kind, name = _text(widget["type"]), _text(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{attrs(widget)}>'


def textarea_html(widget: dict) -> str:
    value = widget["value"]
    shown = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{attrs(widget)}>\n{shown}</textarea>'


_WRITERS: dict[str, Callable[[dict], str] | None] = {}


def writer_for(template_name: str, get_template) -> Callable[[dict], str] | None:
    """The function writing ``template_name``'s markup, if Django's template is the one copied
    (``get_template``: the form renderer's)."""
    if template_name not in _WRITERS:
        _WRITERS[template_name] = _writer(template_name, get_template)
    return _WRITERS[template_name]


def _source(name: str, get_template) -> str | None:
    try:
        return get_template(name).template.source
    except Exception:
        return None


def _writer(template_name: str, get_template) -> Callable[[dict], str] | None:
    if any(_source(name, get_template) != SOURCES[name] for name in (ATTRS, INPUT)):
        return None
    if template_name == INPUT:
        return input_html
    if template_name in WRAPPERS and _source(template_name, get_template) == WRAPPER_SOURCE:
        return input_html
    if template_name == TEXTAREA and _source(TEXTAREA, get_template) == SOURCES[TEXTAREA]:
        return textarea_html
    return None
