"""Gives every signed-off review a sign-off date before the constraint (0015) requires one.

Reviews marked signed off without a date counted as still ongoing in the annual figures (R24).
The date is taken from the best evidence kept, in this order:

1. the last signature given (``ReviewSignature.signed_at``);
2. the audit event of the move to signed off (``review.signed_off``, or ``review.stage_changed``
   to ``signed_off``);
3. the publication: when it was first published, else its publication date if that has passed;
4. the review's last change (``modified_at``).

Each date filled is recorded in the audit trail (``review.sign_off_date_filled``) with the
evidence it came from. Reversing leaves the dates in place: they are true.
"""

import datetime

from django.db import migrations
from django.utils import timezone

ACTOR_LABEL = "Data migration reviews 0014 (sign-off dates)"


def sign_off_evidence(apps, review) -> tuple[datetime.datetime, str]:
    """The sign-off date of ``review`` (a historical Review) and the evidence it came from."""
    ReviewSignature = apps.get_model("reviews", "ReviewSignature")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Publication = apps.get_model("publication", "Publication")

    signed = (
        ReviewSignature.objects.filter(review_id=review.pk)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    if signed:
        return signed, "last_signature"
    events = AuditEvent.objects.filter(object_type="reviews.review", object_id=str(review.pk))
    moved = (
        (
            events.filter(action="review.signed_off")
            | events.filter(action="review.stage_changed", payload__to="signed_off")
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if moved:
        return moved, "stage_move"
    publication = Publication.objects.filter(review_id=review.pk).first()
    if publication is not None:
        if publication.published_at:
            return publication.published_at, "publication"
        today = timezone.localdate()
        if publication.publish_on and publication.publish_on <= today:
            at = datetime.datetime.combine(publication.publish_on, datetime.time(9))
            return timezone.make_aware(at), "publication"
    return review.modified_at, "last_change"


def fill_sign_off_dates(apps, schema_editor) -> None:
    Review = apps.get_model("reviews", "Review")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    missing = Review.objects.filter(stage="signed_off", signed_off_at__isnull=True).order_by("pk")
    for review in missing:
        signed_off_at, evidence = sign_off_evidence(apps, review)
        Review.objects.filter(pk=review.pk).update(signed_off_at=signed_off_at)
        AuditEvent.objects.create(
            action="review.sign_off_date_filled",
            actor_label=ACTOR_LABEL,
            partnership_id=review.partnership_id,
            object_type="reviews.review",
            object_id=str(review.pk),
            object_label=f"{review.reference} {review.title}"[:300],
            payload={"signed_off_at": signed_off_at.isoformat(), "evidence": evidence},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_review_signature_capacity"),
        ("audit", "0001_initial"),
        ("publication", "0005_dardr_secretary_of_state_copy"),
    ]

    operations = [
        migrations.RunPython(fill_sign_off_dates, migrations.RunPython.noop),
    ]
