"""The GOV.UK form groups of ``govuk/forms/<kind>.html``, written in Python (issue 16).

``{% govuk_field %}`` rendered each field through its kind's template and
``_label_bits.html``; a checkbox group of thirty themes or a page of eighteen fields spent
most of its time in the template engine. Each function here gives exactly what its template
gives for the context ``govuk_field`` builds (a test renders both on every kind, with and
without hints, errors and choices, and the pages on the bench data were compared before and
after). The templates stay the reference: ``writer_for`` uses a function only while the
template the engine would load has the source the function was written from (its SHA-256
below), so a changed template is rendered by the template until the function is changed too
(and the test that every kind has its function fails meanwhile).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.template.loader import get_template

from .widget_markup import text

LABEL_BITS = "govuk/forms/_label_bits.html"


def _error_class(context: dict) -> str:
    return " govuk-form-group--error" if context["errors"] else ""


def _label_bits(context: dict) -> str:
    """``_label_bits.html``, with the template's two line ends."""
    hint = ""
    if context["hint_id"]:
        help_text = text(context["field"].help_text)
        hint = f'<div id="{text(context["hint_id"])}" class="govuk-hint">{help_text}</div>'
    errors = []
    for index, error in enumerate(context["errors"]):
        first = f' id="{text(context["error_id"])}"' if index == 0 else ""
        errors.append(
            f'<p{first} class="govuk-error-message"><span class="govuk-visually-hidden">'
            f"Error:</span> {text(error)}</p>"
        )
    return f"{hint}\n{''.join(errors)}\n"


def _optional(field) -> str:
    return "" if field.field.required else " (optional)"


def _legend(context: dict, role: str = "") -> str:
    """The fieldset's opening, its legend and the label bits (checkboxes, radios, date)."""
    field, describedby = context["field"], context["describedby"]
    described = f' aria-describedby="{text(describedby)}"' if describedby else ""
    return (
        f'<div class="govuk-form-group{_error_class(context)}">\n'
        f'  <fieldset class="govuk-fieldset"{role}{described}>\n'
        '    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s '
        f'{text(context["label_classes"])}">{text(field.label)}{_optional(field)}</legend>\n'
        f"    {_label_bits(context)}\n"
    )


def labelled(context: dict) -> str:
    """``input.html``, ``select.html``, ``textarea.html`` and ``file.html`` (one source)."""
    field = context["field"]
    return (
        f'<div class="govuk-form-group{_error_class(context)}">\n'
        f'  <label class="govuk-label {text(context["label_classes"])}" '
        f'for="{text(field.id_for_label)}">{text(field.label)}{_optional(field)}</label>\n'
        f"  {_label_bits(context)}\n"
        f"  {text(context['widget_html'])}\n"
        "</div>\n"
    )


def checkbox(context: dict) -> str:
    """``checkbox.html``: one checkbox."""
    field = context["field"]
    return (
        f'<div class="govuk-form-group{_error_class(context)}">\n'
        f"  {_label_bits(context)}\n"
        '  <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
        '    <div class="govuk-checkboxes__item">\n'
        f"      {text(context['widget_html'])}\n"
        '      <label class="govuk-label govuk-checkboxes__label" '
        f'for="{text(field.id_for_label)}">{text(field.label)}</label>\n'
        "    </div>\n"
        "  </div>\n"
        "</div>\n"
    )


def _choice_group(context: dict, module: str, item_markup: Callable[..., str]) -> str:
    """``checkboxes.html`` or ``radios.html`` around their items: ``item_markup(item, id,
    name, checked)`` gives one item's lines, between the loop's line ends and indents."""
    name = text(context["field"].html_name)
    items = "".join(
        f"\n{item_markup(item, text(item['id']), name, ' checked' if item['checked'] else '')}"
        "\n      "
        for item in context["items"]
    )
    return (
        _legend(context)
        + f'    <div class="govuk-{module}" data-module="govuk-{module}">\n'
        + f"      {items}\n"
        + "    </div>\n"
        + "  </fieldset>\n"
        + "</div>\n"
    )


def _checkbox_item(item: dict, item_id: str, name: str, checked: str) -> str:
    return (
        '      <div class="govuk-checkboxes__item">\n'
        f'        <input class="govuk-checkboxes__input" id="{item_id}" name="{name}" '
        f'type="checkbox" value="{text(item["value"])}"{checked}>\n'
        '        <label class="govuk-label govuk-checkboxes__label" '
        f'for="{item_id}">{text(item["label"])}</label>\n'
        "      </div>"
    )


def _radio_item(item: dict, item_id: str, name: str, checked: str) -> str:
    described, hint = "", ""
    if item["hint"]:
        described = f' aria-describedby="{item_id}-item-hint"'
        hint = (
            f'<div id="{item_id}-item-hint" class="govuk-hint govuk-radios__hint">'
            f"{text(item['hint'])}</div>"
        )
    return (
        '      <div class="govuk-radios__item">\n'
        f'        <input class="govuk-radios__input" id="{item_id}" name="{name}" '
        f'type="radio" value="{text(item["value"])}"{checked}{described}>\n'
        '        <label class="govuk-label govuk-radios__label" '
        f'for="{item_id}">{text(item["label"])}</label>\n'
        f"        {hint}\n"
        "      </div>"
    )


def checkboxes(context: dict) -> str:
    """``checkboxes.html``: a group of checkboxes."""
    return _choice_group(context, "checkboxes", _checkbox_item)


def radios(context: dict) -> str:
    """``radios.html``: a group of radios, each with its hint if it has one."""
    return _choice_group(context, "radios", _radio_item)


def date(context: dict) -> str:
    """``date.html``: day, month and year boxes."""
    error = " govuk-input--error" if context["errors"] else ""
    parts = []
    for part in context["parts"]:
        part_id = text(part["id"])
        parts.append(
            "\n"
            '      <div class="govuk-date-input__item">\n'
            '        <div class="govuk-form-group">\n'
            '          <label class="govuk-label govuk-date-input__label" '
            f'for="{part_id}">{text(part["label"])}</label>\n'
            '          <input class="govuk-input govuk-date-input__input '
            f'govuk-input--width-{text(part["width"])}{error}" id="{part_id}" '
            f'name="{text(part["name"])}" type="text" inputmode="numeric" '
            f'value="{text(part["value"])}">\n'
            "        </div>\n"
            "      </div>\n"
            "      "
        )
    return (
        _legend(context, role=' role="group"')
        + f'    <div class="govuk-date-input" id="{text(context["field"].auto_id)}">\n'
        + f"      {''.join(parts)}\n"
        + "    </div>\n"
        + "  </fieldset>\n"
        + "</div>\n"
    )


# The SHA-256 of each template's source that its function copies.
LABEL_BITS_SHA256 = "83e5f0acb00e843b019044946e0ddd346a8e2298805ce5813ea2d5517301973d"
LABELLED_SHA256 = "38503fa90105649af37025f530d92737ba8552f719f28755ef9d3375270f17f5"
WRITERS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "input": (LABELLED_SHA256, labelled),
    "select": (LABELLED_SHA256, labelled),
    "textarea": (LABELLED_SHA256, labelled),
    "file": (LABELLED_SHA256, labelled),
    "checkbox": ("6488d785fc31ef0c2c20b39c77b39f4076b51054e45e8789376c2b07b2f8016e", checkbox),
    "checkboxes": ("31579a6bb1fede816251b4f5c66d5114aa111baeadb3080da2b4a8cca0e1eca1", checkboxes),
    "radios": ("76bf71c6a66b54850cbc0aa225a7e0b95870ac028b8e6bc25eeeb8c15d70e3b6", radios),
    "date": ("294dfc72638d348dab191a80760988d9dcc6a1001a4d20ee8772a7a4ae07ee86", date),
}

_CHOSEN: dict[str, Callable[[dict], str] | None] = {}


def source_sha256(template_name: str, get=get_template) -> str:
    """The SHA-256 of the source of the template ``get`` (the template engine's, or a form
    renderer's ``get_template``) finds; "" if none."""
    try:
        source = get(template_name).template.source
    except Exception:
        return ""
    return hashlib.sha256(source.encode()).hexdigest()


def writer_for(kind: str) -> Callable[[dict], str] | None:
    """The function writing ``govuk/forms/<kind>.html``, if that template (and the label bits
    it includes) has the source the function copies; None: render the template."""
    if kind not in _CHOSEN:
        _CHOSEN[kind] = _writer(kind)
    return _CHOSEN[kind]


def _writer(kind: str) -> Callable[[dict], str] | None:
    if kind not in WRITERS or source_sha256(LABEL_BITS) != LABEL_BITS_SHA256:
        return None
    digest, write = WRITERS[kind]
    return write if source_sha256(f"govuk/forms/{kind}.html") == digest else None
