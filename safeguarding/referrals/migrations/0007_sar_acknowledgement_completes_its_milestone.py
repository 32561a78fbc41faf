"""The SAR "acknowledge the referral" milestone is done when the acknowledgement is sent, not
when the decision is signed (issue 13). The rule now ends on ``sar_referral_acknowledged``;
open milestones of referrals whose acknowledgement was already sent are completed on the day
it was written."""

from django.db import migrations
from django.utils import timezone

RULE = "sar-acknowledge-referral"


def complete_acknowledged(apps, schema_editor):
    MilestoneRule = apps.get_model("clock", "MilestoneRule")
    Milestone = apps.get_model("clock", "Milestone")
    Notification = apps.get_model("notifications", "Notification")
    Referral = apps.get_model("referrals", "Referral")
    ContentType = apps.get_model("contenttypes", "ContentType")
    MilestoneRule.objects.filter(code=RULE).update(done_on_event="sar_referral_acknowledged")
    referral_type = ContentType.objects.filter(app_label="referrals", model="referral").first()
    case_type = ContentType.objects.filter(app_label="referrals", model="case").first()
    if referral_type is None:
        return  # a new database: nothing was acknowledged yet
    for milestone in Milestone.objects.filter(rule__code=RULE, status__in=["due", "paused"]):
        if milestone.subject_type_id == referral_type.pk:
            referral_ids = [milestone.subject_id]
        elif case_type is not None and milestone.subject_type_id == case_type.pk:
            referral_ids = list(
                Referral.objects.filter(case_id=milestone.subject_id).values_list("pk", flat=True)
            )
        else:
            continue
        sent = (
            Notification.objects.filter(
                kind="referral.acknowledged",
                subject_type=referral_type,
                subject_id__in=referral_ids,
            )
            .order_by("created_at")
            .first()
        )
        if sent is not None:
            milestone.status = "done"
            milestone.done_on = timezone.localtime(sent.created_at).date()
            milestone.save(update_fields=["status", "done_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_decision_disagreements"),
        ("clock", "0006_sar_referral_acknowledged"),
        ("notifications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(complete_acknowledged, migrations.RunPython.noop)]
