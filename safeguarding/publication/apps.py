from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "safeguarding.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.clock.reminders import register_source
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        from .reminders import publication_reminders

        register_actions(
            {
                "national_review.added": "Added a national review to the public page",
                "national_review.removed": "Took a national review off the public page",
                "publication.started": "Started preparing the publication of a review",
                "publication.updated": "Changed the publication decision",
                "publication.file_uploaded": "Uploaded a file to publish (checked for identities)",
                "publication.file_replaced": "Replaced a file to publish",
                "publication.finding_false_match": "Marked a possible identifier a false match",
                "publication.step_recorded": "Recorded a step before publication",
                "publication.partner_signed_off": "Recorded a partner partnership's sign-off "
                "of a shared review's publication",
                "publication.home_office_submitted": "Submitted a DHR to the Home Office panel",
                "publication.home_office_letter": "Recorded the Home Office panel's letter",
                "publication.home_office_letter_downloaded": "Downloaded a Home Office letter",
                "publication.scheduled": "Scheduled a publication",
                "publication.published": "Published a review",
                "publication.corrected": "Published a correction (new revision)",
                "publication.withdrawn": "Withdrew a published review",
                "publication.reminder_sent": "Sent a reminder of the steps before publication",
            }
        )
        register_kinds(
            {
                "publication.step_due_soon": NotificationKind(
                    label="A step before publication is due soon",
                    subject="Due {{ due_on|date:'j F Y' }}: {% if steps %}steps before "
                    "publication{% else %}publication{% endif %} of {{ review.reference }}",
                    template="publication/email/steps_due.txt",
                ),
                "publication.partner_signed_off": NotificationKind(
                    label="A partner partnership signed off a shared review's publication",
                    subject="{{ partner.name }} signed off the publication of "
                    "{{ publication.review.reference }}",
                    template="publication/email/partner_signed_off.txt",
                ),
                "publication.step_overdue": NotificationKind(
                    label="A step before publication is overdue",
                    subject="Overdue: {% if steps %}steps before publication{% else %}"
                    "publication{% endif %} of {{ review.reference }}",
                    template="publication/email/steps_due.txt",
                ),
            }
        )
        register_source("publications", publication_reminders)
