"""The inputs, text areas and selects written in Python give Django's templates' characters
(issue 16)."""

import datetime
import decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from safeguarding.core import widget_markup
from safeguarding.core.forms import GovukFormRenderer

VALUES = [
    None,
    "",
    "plain",
    "a <b> & \"c\" 'd'",
    mark_safe("<i>safe</i>"),
    0,
    12,
    0.5,
    decimal.Decimal("1234.50"),
    datetime.date(2026, 12, 6),
    ("a", "b"),
    "line one\nline two",
]
ATTRS = [
    {},
    {"class": "govuk-input", "aria-describedby": "x-hint x-error"},
    {"required": True, "disabled": False, "maxlength": 40, "data-x": None},
    {"placeholder": 'say "hello" & <go>', "autocomplete": "off", "spellcheck": "false"},
]
WIDGETS = [
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.Textarea,
    forms.CheckboxInput,
    forms.FileInput,
]


@pytest.mark.parametrize("widget_class", WIDGETS, ids=lambda w: w.__name__)
def test_same_markup_as_django_s_templates(widget_class):
    ours, django_s = GovukFormRenderer(), TemplatesSetting()
    for attrs in ATTRS:
        widget = widget_class(attrs=attrs)
        for value in VALUES:
            kwargs = {"name": "field-name", "value": value, "attrs": {"id": "id_x"}}
            written = widget.render(renderer=ours, **kwargs)
            assert written == widget.render(renderer=django_s, **kwargs), (attrs, value)
    assert widget_markup.writer_for(widget.template_name, ours.get_template) is not None


CHOICES = [
    [],
    [("a", "A & B"), ("b", "<b>bold</b>"), ("", "Any")],
    [
        ("", "Choose"),
        (1, "One"),
        (2, 2),
        (3, datetime.date(2026, 12, 6)),
        ("x", mark_safe("<i>s</i>")),
    ],
    # Groups, as the action tracker's theme filter has them.
    [("", "Any theme"), ("Risk", [(10, "Neglect"), (11, "Self-harm")]), ("Practice & <x>", [])],
    [("Agency", [("a", "Police"), ("b", "Health")]), ("c", "Other")],
]
SELECTED = [None, "", "a", 2, "10", ["a", "b"], [11, "c"]]


@pytest.mark.parametrize("widget_class", [forms.Select, forms.SelectMultiple])
def test_selects_same_markup_as_django_s_templates(widget_class):
    ours, django_s = GovukFormRenderer(), TemplatesSetting()
    for attrs in ATTRS:
        for choices in CHOICES:
            widget = widget_class(attrs=attrs, choices=choices)
            for value in SELECTED:
                kwargs = {"name": "field-name", "value": value, "attrs": {"id": "id_x"}}
                written = widget.render(renderer=ours, **kwargs)
                assert written == widget.render(renderer=django_s, **kwargs), (choices, value)
    assert widget_markup.writer_for(widget.template_name, ours.get_template) is not None
    null = forms.NullBooleanSelect()
    for value in [None, True, False, "unknown"]:
        assert null.render("n", value, renderer=ours) == null.render("n", value, renderer=django_s)


class _OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input.html"


def test_other_templates_are_rendered_by_django():
    ours = GovukFormRenderer()
    assert widget_markup.writer_for("django/forms/widgets/radio.html", ours.get_template) is None
    assert widget_markup.writer_for("govuk/forms/input.html", ours.get_template) is None
    # A select whose options have another template: the template renders it.
    own = _OwnOption(choices=[("a", "A & B")])
    assert widget_markup.select_html(own.get_context("s", "a", {})["widget"]) is None
    assert own.render("s", "a", renderer=ours) == own.render("s", "a", renderer=TemplatesSetting())
