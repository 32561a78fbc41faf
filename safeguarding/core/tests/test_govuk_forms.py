import datetime

import pytest
from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.core.forms import GovukDateField
from safeguarding.core.templatetags.govuk import govuk_text


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="Your full name")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("b", "Blue")], widget=forms.RadioSelect
    )
    when = GovukDateField(label="Date of birth")
    agree = forms.BooleanField(label="I agree")
    pets = forms.MultipleChoiceField(
        label="Pets", choices=[("c", "Cat"), ("d", "Dog")], widget=forms.CheckboxSelectMultiple
    )


def render(template: str, **context) -> str:
    return Template(template).render(Context(context))


def test_every_field_gets_govuk_markup_with_hint_and_optional_label():
    html = str(ExampleForm())
    assert '<label class="govuk-label " for="id_name">Name</label>' in html
    assert '<div id="id_name-hint" class="govuk-hint">Your full name</div>' in html
    assert 'aria-describedby="id_name-hint"' in html
    assert "Notes (optional)" in html
    assert 'class="govuk-textarea"' in html
    assert (
        'class="govuk-radios__input" id="id_colour_0" name="colour" type="radio" value="r"' in html
    )
    assert 'class="govuk-date-input"' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert 'id="id_pets_1" name="pets" type="checkbox" value="d"' in html


def test_errors_get_messages_classes_and_a_summary_linking_to_each_field():
    form = ExampleForm(data={"when_0": "31", "when_1": "2", "when_2": "2026"})
    assert not form.is_valid()
    html = str(form)
    assert "govuk-form-group--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span> This field is required.' in html
    assert "govuk-input--error" in html
    summary = render("{% error_summary form %}", form=form)
    assert "There is a problem" in summary
    assert 'href="#id_name"' in summary
    assert 'href="#id_colour_0"' in summary
    assert '<a href="#id_when_0">Date of birth must be a real date</a>' in summary


def test_error_summary_is_empty_without_errors():
    assert render("{% error_summary form %}", form=ExampleForm()).strip() == ""


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["1", "3", "2026"], datetime.date(2026, 3, 1)),
        ([" 29", "2", "2024 "], datetime.date(2024, 2, 29)),
        (["", "", ""], None),
    ],
)
def test_date_field_reads_day_month_year(parts, expected):
    field = GovukDateField(label="Date", required=False)
    assert field.clean(parts) == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["29", "2", "2026"], "Date must be a real date"),
        (["1", "", "2026"], "Date must include a day, month and year"),
        (["x", "1", "2026"], "Date must be a real date"),
    ],
)
def test_date_field_gives_govuk_messages(parts, message):
    with pytest.raises(forms.ValidationError, match=message):
        GovukDateField(label="Date").clean(parts)


def test_required_date_left_blank_asks_for_it():
    with pytest.raises(forms.ValidationError, match="Enter date of birth"):
        GovukDateField(label="Date of birth").clean(["", "", ""])


def test_bound_date_field_keeps_what_the_user_typed():
    form = ExampleForm(data={"when_0": "31", "when_1": "2", "when_2": "2026"})
    html = str(form["when"].as_field_group())
    assert 'name="when_0" type="text" inputmode="numeric" value="31"' in html


def test_govuk_text_makes_paragraphs_and_lists_and_escapes():
    html = govuk_text("First <b>para</b>\nsame para\n\n- one\n- two")
    assert '<p class="govuk-body">First &lt;b&gt;para&lt;/b&gt;<br>same para</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>two</li></ul>' in html
    assert govuk_text("") == ""


def _govuk_text_a_line_at_a_time(value) -> str:
    """``govuk_text`` as it was written before it escaped the text once (issue 16)."""
    from html import escape

    if not value:
        return ""
    blocks = [block.strip("\n") for block in str(value).replace("\r\n", "\n").split("\n\n")]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:].strip())}</li>" for line in lines)
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            html.append(f'<p class="govuk-body">{"<br>".join(escape(x) for x in lines)}</p>')
    return "\n".join(html)


@given(
    st.lists(
        st.sampled_from(["- ", "-", " ", "\n", "\r\n", "\r", "\t", "\u00a0", "&", "<", '"', "'"])
        | st.text(max_size=8),
        max_size=30,
    ).map("".join)
)
def test_govuk_text_escaped_once_writes_what_escaping_each_line_wrote(value):
    assert govuk_text(value) == _govuk_text_a_line_at_a_time(value)
