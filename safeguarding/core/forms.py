"""The project form renderer and GOV.UK form fields.

Every Django form in the service renders through ``GovukFormRenderer``: each field gets the GOV.UK
markup (label, hint, error message, classes, aria-describedby), and ``{% error_summary form %}``
puts the error summary at the top of the page, linking to each field.

Every form of the service is a ``GovukForm``: the text it accepts has its control characters
removed (``core.text.printable``) before any field sees it.
"""

import datetime

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.datastructures import MultiValueDict

from . import govuk_markup, widget_markup
from .templatetags.govuk import govuk_field
from .text import printable
from .widget_markup import text


def posted(request):
    """The POST data, or None for GET: an empty POST is still a submission to validate."""
    return request.POST if request.method == "POST" else None


def show_service_error(form, error) -> None:
    """Show a service's ServiceError on its field, or at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def text_field(
    label: str, *, required: bool = True, max_length: int = 10_000, rows: int = 5, **kw
) -> forms.CharField:
    """A GOV.UK textarea with plain error messages: "Enter <label>" (or ``required_message``)
    and "<label> must be N characters or fewer"."""
    messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    required_message = kw.pop("required_message", "")
    if required:
        messages["required"] = required_message or f"Enter {label.lower()}"
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
        **kw,
    )


def printable_data(data):
    """Submitted form data (a QueryDict, or a dict in tests and the Word referral reader) with
    control characters removed from every value."""
    if data is None:
        return None
    if isinstance(data, MultiValueDict):
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, [printable(value) for value in values])
        return cleaned
    return printable(data)


class GovukForm(forms.Form):
    """The base of every form in the service.

    Text pasted from another system can carry control characters that Word and Excel files
    cannot hold (one made every chronology export fail): they are removed from the submitted
    data before the fields are cleaned, so what is saved, checked and shown again is clean.
    Tab, line feed and carriage return are kept."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(printable_data(data), *args, **kwargs)


class GovukFormRenderer(TemplatesSetting):
    """Forms, fields and Django's widgets' markup, much of it written in Python (issue 16): a
    form page rendered each widget through two or three templates (the input, its attributes,
    the wrapper of its type), each field through two more. ``widget_markup.writer_for`` gives
    the inputs', text areas' and selects' characters, used only while Django's templates for
    them are the ones it copies (checked once); ``form.html`` and ``field.html`` (a loop over
    the fields, and ``{% govuk_field %}``) are written here, used only while their sources are
    the ones below (their SHA-256)."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    OWN_SHA256 = {
        form_template_name: "94e36525eeb352c2add36a4193287b38b497ac5a4562fc1471064bd2d079d88a",
        field_template_name: "6032fae7ad0e8a82b1696dd652a7f048f2b416398f339f9feca246b7c43e65c3",
    }

    def render(self, template_name, context, request=None):
        if template_name in self.OWN_SHA256 and self._own_is_copied(template_name):
            if template_name == self.field_template_name:
                return govuk_field(context["field"]).strip()
            form = context["form"]
            hidden = "".join(text(field) for field in form.hidden_fields())
            groups = "".join(f"{text(field.as_field_group())}\n" for field in form.visible_fields())
            return f"{hidden}\n{groups}\n".strip()
        write = widget_markup.writer_for(template_name, self.get_template)
        if write is not None and request is None:
            html = write(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)

    _copied: dict[str, bool] = {}

    def _own_is_copied(self, template_name: str) -> bool:
        if template_name not in self._copied:
            digest = govuk_markup.source_sha256(template_name, self.get_template)
            self._copied[template_name] = digest == self.OWN_SHA256[template_name]
        return self._copied[template_name]


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input pattern), not a native date picker."""

    govuk_kind = "date"

    def __init__(self, attrs=None):
        parts = [
            forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 2}),
            forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 2}),
            forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
        ]
        super().__init__(parts, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with GOV.UK error messages."""

    widget = GovukDateWidget
    default_error_messages = {
        "invalid": "%(label)s must be a real date",
        "incomplete": "%(label)s must include a day, month and year",
    }

    def __init__(self, **kwargs):
        fields = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1900, max_value=2200),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def clean(self, value):
        label = self.label or "Date"
        if isinstance(value, (list, tuple)):
            filled = [str(v).strip() for v in value if v not in (None, "") and str(v).strip()]
            if not filled:
                if self.required:
                    raise forms.ValidationError(
                        "Enter %(label)s", code="required", params={"label": label.lower()}
                    )
                return None
            if len(filled) < 3:
                raise forms.ValidationError(
                    self.error_messages["incomplete"], code="incomplete", params={"label": label}
                )
            try:
                day, month, year = (int(str(v).strip()) for v in value)
                return datetime.date(year, month, day)
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"label": label}
                ) from None
        return super().clean(value)

    def compress(self, data_list):  # pragma: no cover - clean() above does the work
        return None
