"""The GOV.UK form groups written in Python give their templates' characters (issue 16)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from safeguarding.core import govuk_markup
from safeguarding.core.forms import GovukDateField, GovukForm, GovukFormRenderer
from safeguarding.core.templatetags.govuk import field_context, govuk_field

ODD = "A <b>bold</b> & \"quoted\" 'label'"


class _Hinted(forms.RadioSelect):
    choice_hints = {"a": "The first & best", "2": mark_safe("<i>safe</i> hint")}


def _form_class(required: bool, help_text: str, label: str):
    """A form with a field of every kind."""
    common = {"required": required, "help_text": help_text}
    choices = [("a", "Apple & pear"), (2, ODD), ("<c>", "C")]

    class EveryKind(GovukForm):
        text = forms.CharField(label=label, max_length=5, **common)
        number = forms.IntegerField(label="Number", min_value=1, **common)
        area = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), **common)
        pick = forms.ChoiceField(label=label, choices=[("", "Any"), *choices], **common)
        upload = forms.FileField(label="A file", **common)
        agree = forms.BooleanField(label=label, **common)
        many = forms.MultipleChoiceField(
            label=label, choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
        one = forms.ChoiceField(label=label, choices=choices, widget=_Hinted, **common)
        when = GovukDateField(label=label, **common)

    EveryKind.base_fields["text"].govuk_label_classes = "govuk-label--m"
    EveryKind.base_fields["many"].govuk_label_classes = "govuk-fieldset__legend--m"
    return EveryKind


DATA = [
    None,  # unbound
    {},  # every required field missing
    {
        "text": ODD,
        "number": "-3",
        "area": "line one\n<line two>",
        "pick": "nope",
        "agree": "on",
        "many": ["a", "999"],
        "one": "2",
        "when_0": "31",
        "when_1": "2",
        "when_2": "2020",
    },
    {
        "text": "ok",
        "number": "4",
        "area": "fine",
        "pick": "2",
        "many": ["a", "2"],
        "one": "a",
        "when_0": "6",
        "when_1": "12",
        "when_2": "2026",
    },
]
INITIAL = {"text": "<initial>", "many": ["<c>"], "when": datetime.date(2026, 12, 6), "one": "a"}


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("help_text", ["", "A hint & <more>"])
@pytest.mark.parametrize("label", ["Plain", ODD])
def test_every_kind_same_markup_as_its_template(required, help_text, label):
    form_class = _form_class(required, help_text, label)
    kinds = set()
    for data in DATA:
        form = form_class(data, initial=INITIAL)
        if data is not None:
            form.is_valid()
            form.add_error("text", "A second error & <more>")
        for name in form.fields:
            kind, context = field_context(form[name])
            kinds.add(kind)
            expected = render_to_string(f"govuk/forms/{kind}.html", context)
            assert govuk_markup.writer_for(kind)(context) == expected, (name, data)
            assert govuk_field(form[name]) == expected
    assert kinds == set(govuk_markup.WRITERS)


def test_every_kind_has_its_function():
    """A template changed without its function is rendered by the template: change both."""
    for kind in govuk_markup.WRITERS:
        assert govuk_markup.writer_for(kind) is not None, kind
    assert govuk_markup.writer_for("no-such-kind") is None


class _TemplatesOnly(TemplatesSetting):
    """The project's form and field templates, every widget through Django's templates."""

    form_template_name = GovukFormRenderer.form_template_name
    field_template_name = GovukFormRenderer.field_template_name


def test_forms_same_markup_as_their_templates():
    """``form.html`` and ``field.html`` written in the renderer give the templates' characters,
    hidden fields and all."""
    form_class = _form_class(True, "A hint", ODD)
    form_class.base_fields["secret"] = forms.CharField(widget=forms.HiddenInput, initial="<s>")
    form_class.base_fields["again"] = forms.CharField(show_hidden_initial=True, initial="i")
    for data in DATA:
        ours = form_class(data, initial=INITIAL, renderer=GovukFormRenderer())
        theirs = form_class(data, initial=INITIAL, renderer=_TemplatesOnly())
        assert str(ours) == str(theirs)
        for name in ours.fields:
            assert ours[name].as_field_group() == theirs[name].as_field_group()
    renderer = GovukFormRenderer()
    assert all(renderer._own_is_copied(name) for name in renderer.OWN_SHA256)
