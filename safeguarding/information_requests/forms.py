"""Forms of the requests for information pages (the services check everything again)."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm, text_field


class _ReviewChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title}"


class RequestMakeForm(GovukForm):
    recipient = forms.CharField(
        label="Person or body asked",
        max_length=200,
        help_text="For example a GP practice, a housing provider or a named professional",
        error_messages={
            "required": "Enter the person or body asked",
            "max_length": "The person or body must be 200 characters or fewer",
        },
    )
    recipient_email = forms.EmailField(
        label="Their email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    legal_basis = forms.ChoiceField(
        label="Power the request is made under",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the power the request is made under"},
    )
    review = _ReviewChoice(
        label="Review it is for",
        queryset=None,
        required=False,
        empty_label="The case, not one review",
        error_messages={"invalid_choice": "Choose one of this case's reviews"},
    )
    information_sought = text_field("Information asked for", max_length=5_000)
    made_on = GovukDateField(label="Date the request was made")
    due_on = GovukDateField(label="Date the answer is due")

    def __init__(self, *args, bases, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = [(b.value, b.label) for b in bases]
        self.fields["review"].queryset = reviews

    def clean(self):
        data = super().clean()
        made, due = data.get("made_on"), data.get("due_on")
        if made and due and due < made:
            self.add_error("due_on", "The due date cannot be before the request was made")
        return data


class AnswerForm(GovukForm):
    date_field = "answered_on"  # filled with today on the empty form
    answered_on = GovukDateField(label="Date the answer arrived")
    answer_summary = text_field("What was received and where it is kept", max_length=5_000)


class RefusalForm(GovukForm):
    date_field = "refused_on"
    refused_on = GovukDateField(label="Date of the refusal")
    refusal_reason = text_field(
        "Reason they gave", max_length=5_000, required_message="Enter the reason they gave"
    )


class EscalationForm(GovukForm):
    date_field = "escalated_on"
    escalated_on = GovukDateField(label="Date it was escalated")
    escalated_to = forms.CharField(
        label="Escalated to",
        max_length=200,
        help_text="For example the body's chief executive, or the partners' escalation route",
        error_messages={
            "required": "Enter who it was escalated to",
            "max_length": "Who it was escalated to must be 200 characters or fewer",
        },
    )
    note = text_field("Why, and what was asked", max_length=5_000)
