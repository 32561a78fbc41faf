"""Writes for national returns (issue 17): one service, checked against the scheme's questions,
audited in the same transaction. A return may be made or changed at any stage, signed off
included: it describes the review and is not part of its content (R21 for the SAR's basis)."""

from django.db import transaction

from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from ..models import NationalReturn, Review
from .categories import MULTIPLE, NUMBER, SCHEMES, Scheme
from .selectors import scheme_codes_for


def _clean(scheme: Scheme, answers: dict) -> dict:
    unknown = set(answers) - {q.code for q in scheme.questions}
    if unknown:
        raise ServiceError(f"{min(unknown)} is not a question of this return")
    clean: dict = {}
    for question in scheme.questions:
        value = answers.get(question.code)
        codes = [code for code, _ in question.options]
        if question.kind == MULTIPLE:
            values = list(value or [])
            if any(v not in codes for v in values):
                raise ServiceError("Select answers from the list", field=question.code)
            if not values and question.required:
                raise ServiceError(_missing(question.label), field=question.code)
            clean[question.code] = [code for code in codes if code in values]
        elif question.kind == NUMBER:
            if value in (None, ""):
                if question.required:
                    raise ServiceError(_missing(question.label), field=question.code)
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ServiceError("Enter a whole number", field=question.code)
            if not question.minimum <= value <= question.maximum:
                raise ServiceError(
                    f"Enter a number from {question.minimum} to {question.maximum}",
                    field=question.code,
                )
            clean[question.code] = value
        else:
            if value in (None, ""):
                if question.required:
                    raise ServiceError(_missing(question.label), field=question.code)
                continue
            if value not in codes:
                raise ServiceError("Select an answer from the list", field=question.code)
            clean[question.code] = value
    _check_consistent(scheme, clean)
    return clean


def _missing(label: str) -> str:
    return f"Answer: {label[0].lower()}{label[1:]}"


def _check_consistent(scheme: Scheme, answers: dict) -> None:
    # R21: a mandatory SAR is about an adult who died or was seriously harmed (s44(1)-(3)).
    if (
        scheme.code == "sar"
        and answers.get("basis") == "mandatory"
        and answers.get("harm") == ("other")
    ):
        raise ServiceError(
            "A mandatory review is about someone who died or was seriously harmed: "
            "choose what happened, or record the review as discretionary",
            field="harm",
        )
    no_perpetrator = answers.get("relationship") == "none"
    if scheme.code == "dhr" and no_perpetrator and answers.get("death") != "suicide":
        raise ServiceError(
            "Only a review of a suicide can have no perpetrator", field="relationship"
        )


def national_return_save(
    *, review: Review, scheme: str, answers: dict, notes: str = "", actor
) -> NationalReturn:
    """Record or change the review's return under ``scheme`` (one the review answers)."""
    if scheme not in scheme_codes_for(review):
        raise ServiceError("This review is not returned under that scheme")
    definition = SCHEMES[scheme]
    clean = _clean(definition, answers)
    notes = (notes or "").strip()
    if len(notes) > 2_000:
        raise ServiceError("Notes must be 2,000 characters or fewer", field="notes")
    with transaction.atomic():
        record = (
            NationalReturn.objects.select_for_update().filter(review=review, scheme=scheme).first()
        )
        if record is None:
            record = NationalReturn.objects.create(
                review=review,
                scheme=scheme,
                answers=clean,
                notes=notes,
                created_by=actor,
                modified_by=actor,
            )
            audit_record(
                action="national_return.recorded",
                actor=actor,
                target=review,
                payload={"scheme": scheme, "answers": clean},
            )
            return record
        changed = sorted(
            code
            for code in {*record.answers, *clean}
            if record.answers.get(code) != clean.get(code)
        )
        if record.notes != notes:
            changed.append("notes")
        if not changed:
            return record
        record.answers = clean
        record.notes = notes
        record.modified_by = actor
        record.save()
        audit_record(
            action="national_return.changed",
            actor=actor,
            target=review,
            payload={"scheme": scheme, "changed": changed, "answers": clean},
        )
    return record
