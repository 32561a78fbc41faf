from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "safeguarding.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

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
                "publication.scheduled": "Scheduled a publication",
                "publication.published": "Published a review",
                "publication.corrected": "Published a correction (new revision)",
                "publication.withdrawn": "Withdrew a published review",
            }
        )
