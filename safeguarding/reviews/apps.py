from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "safeguarding.reviews"
    label = "reviews"
    verbose_name = "Running reviews"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "review.started": "Started a review",
                "review.stage_changed": "Moved a review to its next stage",
                "review.updated": "Changed a review's details",
                "review.appointment_made": "Appointed a reviewer, chair or panel member",
                "review.meeting_recorded": "Recorded a meeting",
                "review.sent_to_panel": "Recorded sending the rapid review to the Panel",
                "review.immediate_action_recorded": "Recorded an immediate learning action",
                "review.report_downloaded": "Downloaded a review document",
                "review.signed": "Signed off a review",
                "review.progress_checked": "Recorded a progress check (R13)",
                "review.signed_off": "A review was signed off",
                "review.reopened": "Reopened a signed-off review",
                "agency_request.sent": "Asked an agency for information",
                "agency_request.chased": "Chased an agency",
                "agency_request.reminder_sent": "Reminded an agency of a request",
                "agency_return.submitted": "An agency returned information",
                "agency_return.downloaded": "Downloaded a file an agency returned",
                "chronology.entry_added": "Added a chronology entry",
                "chronology.imported": "Imported chronology entries",
                "chronology.exported": "Exported the merged chronology",
                "chronology.template_downloaded": "Downloaded the chronology template",
                "chronology.identities_shown": "Showed real names in the chronology",
                "person.added": "Added a person to a case",
                "person.identity_viewed": "Viewed the real identity of a person in a case",
                "family_contact.recorded": "Recorded a contact with the family",
                "document.version_uploaded": "Uploaded a document version",
                "quality.assessed": "Recorded a quality assessment",
            }
        )
