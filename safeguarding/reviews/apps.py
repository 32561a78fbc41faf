from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "safeguarding.reviews"
    label = "reviews"
    verbose_name = "Running reviews"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.clock.reminders import register_source
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        from .requests.reminders import agency_reminders

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
                "chronology.import_cancelled": (
                    "Cancelled the import of a chronology file that repeats the chronology"
                ),
                "chronology.file_downloaded": "Downloaded an imported chronology file",
                "person.added": "Added a person to a case",
                "person.proposed": "An agency's chronology named someone not yet in the case",
                "person.proposal_confirmed": "Added a person an agency proposed to the case",
                "person.proposal_merged": (
                    "Linked a person an agency proposed to someone already in the case"
                ),
                "person.proposal_rejected": "Rejected a person an agency proposed",
                "person.identity_viewed": "Viewed the real identity of a person in a case",
                "family_contact.recorded": "Recorded a contact with the family",
                "document.version_uploaded": "Uploaded a document version",
                "quality.assessed": "Recorded a quality assessment",
            }
        )
        request_kind = "{{ request.get_kind_display|lower }} for {{ request.review.reference }}"
        register_kinds(
            {
                "agency_request.sent": NotificationKind(
                    label="An agency is asked for information",
                    subject="{{ partnership.name }} asks {{ request.agency.name }} for "
                    "{{ request.get_kind_display|lower }} by {{ request.due_on|date:'j F Y' }}",
                    template="reviews/requests/email.txt",
                ),
                "agency_request.chased": NotificationKind(
                    label="An agency is chased for a request",
                    subject="Reminder: {{ partnership.name }} asks {{ request.agency.name }} for "
                    "{{ request.get_kind_display|lower }} by {{ request.due_on|date:'j F Y' }}",
                    template="reviews/requests/email.txt",
                ),
                "agency_request.due_soon": NotificationKind(
                    label="An agency's request is due soon",
                    subject=f"Reminder: {request_kind} is due soon",
                    template="reviews/requests/reminder_email.txt",
                ),
                "agency_request.overdue": NotificationKind(
                    label="An agency's request is overdue",
                    subject=f"Reminder: {request_kind} is overdue",
                    template="reviews/requests/reminder_email.txt",
                ),
                "meeting.invited": NotificationKind(
                    label="An invitation to a meeting",
                    subject="Invitation: {{ meeting.title }}, {{ when }}",
                    template="reviews/review/email/meeting.txt",
                ),
                "meeting.changed": NotificationKind(
                    label="A meeting has changed",
                    subject="Changed: {{ meeting.title }}, now {{ when }}",
                    template="reviews/review/email/meeting.txt",
                ),
                "meeting.cancelled": NotificationKind(
                    label="A meeting is cancelled",
                    subject="Cancelled: {{ meeting.title }}, {{ when }}",
                    template="reviews/review/email/meeting.txt",
                ),
            }
        )
        register_source("agency_requests", agency_reminders)
