"""The milestones of the track a partner already decides on a shared case become the partner's
(ADR 0022: the clock's per-track owners); reversed, they go back to the case's owner."""

from django.db import migrations


def _case_url(slug: str, pk: int) -> str:
    return f"/manage/{slug}/cases/{pk}/"


def _move(apps, *, to_partner: bool) -> None:
    CaseShare = apps.get_model("referrals", "CaseShare")
    Milestone = apps.get_model("clock", "Milestone")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type = ContentType.objects.filter(app_label="referrals", model="case").first()
    if case_type is None:
        return
    shares = CaseShare.objects.filter(state="accepted").exclude(decides_review_type="")
    for share in shares.select_related("partner", "case__partnership"):
        keeper = share.partner if to_partner else share.case.partnership
        Milestone.objects.filter(
            subject_type=case_type,
            subject_id=share.case_id,
            rule__review_type=share.decides_review_type,
        ).update(partnership=keeper, subject_url=_case_url(keeper.slug, share.case_id))


def forwards(apps, schema_editor):
    _move(apps, to_partner=True)


def backwards(apps, schema_editor):
    _move(apps, to_partner=False)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0017_decision_awaiting_signature_index"),
        ("clock", "0010_milestone_overdue_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
