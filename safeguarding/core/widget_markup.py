"""Django's input, text area and select widgets' markup, written in Python (issue 16).

Each function gives exactly what Django's form renderer gives for the template of the same
name (the sources are below, copied from Django 5.2; the renderer strips the rendering, so the
templates' last line ends are not in it). ``writer_for`` checks once per template name that
the template Django would use has that source, so an upgrade that changes one, or a project
template that overrides one, goes back to the template.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _escape

from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

ATTRS = "django/forms/widgets/attrs.html"
INPUT = "django/forms/widgets/input.html"
TEXTAREA = "django/forms/widgets/textarea.html"
SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = "django/forms/widgets/select_option.html"

SOURCES = {
    ATTRS: "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}",
    INPUT: '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
    " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n',
    TEXTAREA: '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "\n{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n",
    SELECT: '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>\n",
    SELECT_OPTION: "<option value=\"{{ widget.value|stringformat:'s' }}\""
    '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n',
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


class _Autoescaped:
    """What ``render_value_in_context`` reads of a template context: ``{{ value }}`` in an
    autoescaped template, localised as the settings say."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Autoescaped()


def text(value) -> str:
    """``{{ value }}`` in an autoescaped template, for any value (a label, a number, a date)."""
    if type(value) is str:  # the common case; a SafeString is a subclass and goes below
        return _escape(value)  # what django.utils.html.escape does, without its lazy wrapper
    return render_value_in_context(value, _CONTEXT)


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


def select_html(widget: dict) -> str | None:
    """``select.html`` with each option's ``select_option.html``; None if an option has another
    template (a widget's own ``option_template_name``)."""
    html = [f'<select name="{_text(widget["name"])}"{attrs(widget)}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None
            # The option's template ends with a line end, which its include keeps.
            html.append(
                f'\n  <option value="{_formatted(option["value"])}"{attrs(option)}>'
                f"{text(option['label'])}</option>\n"
            )
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def textarea_html(widget: dict) -> str:
    value = widget["value"]
    shown = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{attrs(widget)}>\n{shown}</textarea>'


_WRITERS: dict[str, Callable[[dict], str | None] | None] = {}


def writer_for(template_name: str, get_template) -> Callable[[dict], str | None] | None:
    """The function writing ``template_name``'s markup, if Django's template is the one copied
    (``get_template``: the form renderer's). The function may answer None: render the
    template."""
    if template_name not in _WRITERS:
        _WRITERS[template_name] = _writer(template_name, get_template)
    return _WRITERS[template_name]


def _source(name: str, get_template) -> str | None:
    try:
        return get_template(name).template.source
    except Exception:
        return None


def _writer(template_name: str, get_template) -> Callable[[dict], str | None] | None:
    if any(_source(name, get_template) != SOURCES[name] for name in (ATTRS, INPUT)):
        return None
    if template_name == INPUT:
        return input_html
    if template_name in WRAPPERS and _source(template_name, get_template) == WRAPPER_SOURCE:
        return input_html
    if template_name == TEXTAREA and _source(TEXTAREA, get_template) == SOURCES[TEXTAREA]:
        return textarea_html
    if template_name == SELECT and all(
        _source(name, get_template) == SOURCES[name] for name in (SELECT, SELECT_OPTION)
    ):
        return select_html
    return None
