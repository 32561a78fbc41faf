"""The one sanitiser (core.text.printable) and the form base that applies it to every form."""

import dataclasses
import importlib
import pkgutil

import pytest
from django import forms
from django.http import QueryDict

import safeguarding
from safeguarding.core.forms import GovukForm, text_field
from safeguarding.core.text import printable

# Every C0 control except tab, line feed and carriage return; DEL; every C1 control.
CONTROLS = "".join(
    chr(code) for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r"
)


def test_every_control_character_is_removed_and_tab_and_line_breaks_are_kept():
    assert len(CONTROLS) == 29 + 33
    assert printable(f"Seen{CONTROLS} at\thome\r\nby the nurse") == "Seen at\thome\r\nby the nurse"


def test_what_xml_cannot_hold_is_removed_and_ordinary_text_is_left_alone():
    assert printable("broken \ud800 surrogate \ufffe\uffff") == "broken  surrogate "
    text = "Zoë’s “visit” – 5 £ € \u00a0 \u200b 日本 🙂"
    assert printable(text) == text
    assert printable("") == ""


def test_containers_and_dataclasses_are_cleaned_all_at_once():
    @dataclasses.dataclass(frozen=True)
    class Row:
        title: str
        days: set
        count: int = 0

    day = object()
    value = {
        "a\x07": ["x\x07", ("y\x1b", 2)],
        "row": Row(title="t\x00", days={day}, count=3),
        "none": None,
    }
    assert printable(value) == {
        "a": ["x", ("y", 2)],
        "row": Row(title="t", days={day}, count=3),
        "none": None,
    }


class NotesForm(GovukForm):
    notes = text_field("Notes")
    title = forms.CharField(max_length=5)
    choice = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])


def test_a_govuk_form_removes_control_characters_before_its_fields_see_the_text():
    data = QueryDict(mutable=True)
    data.update({"notes": "Seen\x07 at home\r\nagain\x85", "title": "Ab\x1bcde\x9f"})
    data.setlist("choice", ["a\x00", "b"])
    form = NotesForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "notes": "Seen at home\r\nagain",
        "title": "Abcde",  # five characters once cleaned: within max_length
        "choice": ["a", "b"],
    }
    assert form.data["notes"] == "Seen at home\r\nagain"  # shown again clean on an error page
    assert data["notes"] == "Seen\x07 at home\r\nagain\x85"  # the request's data is not changed


def test_a_govuk_form_takes_a_plain_dict_and_no_data():
    assert NotesForm({"notes": "a\x07b", "title": "t", "choice": ["a"]}).data["notes"] == "ab"
    assert not NotesForm().is_bound


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(safeguarding.__path__, "safeguarding."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("safeguarding.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


# Sign-in, security code and password forms: their text is never stored or exported, and a
# password must reach the hasher exactly as typed.
NOT_GOVUK_FORMS = {
    "safeguarding.accounts.forms.SignInForm",
    "safeguarding.accounts.forms.SecurityCodeForm",
    "safeguarding.accounts.forms.EmailedCodeForm",
    "safeguarding.accounts.views.PasswordChangeForm",
    "safeguarding.accounts.views.SetPasswordForm",
    "safeguarding.accounts.people.forms.AcceptForm",
}


def test_every_form_of_the_service_is_a_govuk_form():
    classes = _project_forms()
    assert len(classes) > 80
    others = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if not issubclass(cls, GovukForm)
        and f"{cls.__module__}.{cls.__qualname__}" not in NOT_GOVUK_FORMS
    )
    assert others == [], "forms that keep control characters: make them GovukForm"


@pytest.mark.parametrize("name", sorted(NOT_GOVUK_FORMS))
def test_the_forms_left_out_exist(name):
    assert name in {f"{cls.__module__}.{cls.__qualname__}" for cls in _project_forms()}
