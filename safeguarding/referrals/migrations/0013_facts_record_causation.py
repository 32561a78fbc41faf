"""Screening now asks whether a death resulted, or appears to have resulted, from abuse or
neglect (``death_resulted_from_abuse``: R19 condition 1, R27, R38) instead of reading it into
"abuse or neglect known or suspected" (issue 14 §5).

Facts stored before answered a question that did say it: "Who caused the death or harm?" (the
staff screening form) and "Who is suspected of causing the death or harm?" (the DHR referral
form). Where such an answer names a person, the person died and abuse or neglect was known or
suspected, the stored record says the death appears to have resulted from that abuse, so this
records ``death_resulted_from_abuse: true`` on the case's facts and on the referral. Nothing
else is inferred: every other death keeps the question open ("Find out whether the death
resulted ...") until someone answers it. Facts that already answer it are left alone.
"""

from django.db import migrations

NAMED = ("relative", "partner", "former_partner", "household_member", "other_known", "stranger")
ABUSE = ("known", "suspected")


def said_the_death_resulted(facts: dict) -> bool:
    """Whether stored facts, read with the old questions, say the death resulted from abuse."""
    died = facts.get("harm") == "died" or (facts.get("harm") is None and facts.get("suicide"))
    return bool(
        died
        and facts.get("death_resulted_from_abuse") is None
        and facts.get("harmed_by") in NAMED
        and facts.get("abuse_or_neglect") in ABUSE
    )


def record_causation(apps, schema_editor):
    Case = apps.get_model("referrals", "Case")
    Referral = apps.get_model("referrals", "Referral")
    for case in Case.objects.exclude(facts={}).only("pk", "facts").iterator():
        facts = case.facts if isinstance(case.facts, dict) else {}
        if said_the_death_resulted(facts):
            case.facts = {**facts, "death_resulted_from_abuse": True}
            case.save(update_fields=["facts"])
    Referral.objects.filter(
        harm="died",
        death_resulted_from_abuse__isnull=True,
        harmed_by__in=NAMED,
        abuse_or_neglect__in=ABUSE,
    ).update(death_resulted_from_abuse=True)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0012_causation_and_household_questions")]
    operations = [migrations.RunPython(record_causation, migrations.RunPython.noop)]
