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
                "review.appointment_changed": "Changed an appointment",
                "review.appointment_ended": "Ended an appointment",
                "review.appointment_restored": "Put back an ended appointment",
                "review.meeting_recorded": "Recorded a meeting",
                "review.meeting_changed": "Changed a meeting",
                "review.meeting_archived": "Cancelled or removed a meeting",
                "review.meeting_restored": "Put back a cancelled meeting",
                "review.sent_to_panel": "Recorded sending the rapid review to the Panel",
                "review.immediate_action_recorded": "Recorded an immediate learning action",
                "review.report_downloaded": "Downloaded a review document",
                "review.signed": "Signed off a review",
                "review.progress_checked": "Recorded a progress check",
                "review.signed_off": "A review was signed off",
                "review.sign_off_date_filled": (
                    "Recorded the sign-off date of a review signed off without one"
                ),
                "review.reopened": "Reopened a signed-off review",
                "review.sign_off_declined": "Declined to sign a review off",
                "review.sign_off_disagreed": "Disagreed with a review's findings or report",
                "review.sign_off_disagreement_resolved": (
                    "Recorded how a disagreement with a review's sign-off was resolved"
                ),
                "agency_request.sent": "Asked an agency for information",
                "agency_request.chased": "Chased an agency",
                "agency_request.reminder_sent": "Reminded an agency of a request",
                "agency_request.cancelled": "Cancelled a request to an agency",
                "agency_request.readdressed": "Re-addressed a request to another agency",
                "agency_request.nothing_to_return": "Recorded that an agency has nothing to return",
                "agency_return.submitted": "An agency returned information",
                "agency_return.recorded": "Recorded a return an agency sent by email or on paper",
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
                "person.changed": "Changed a person in a case",
                "person.identity_changed": "Changed the real identity of a person in a case",
                "person.archived": "Removed a person from a case",
                "person.restored": "Put back a person removed from a case",
                "family_contact.recorded": "Recorded a contact with the family",
                "family_contact.changed": "Changed a contact with the family",
                "family_contact.archived": "Removed a contact with the family",
                "family_contact.restored": "Put back a removed contact with the family",
                "document.version_uploaded": "Uploaded a document version",
                "quality.assessed": "Recorded a quality assessment",
                "marker_set.created": "Added a marker set of the partnership's own",
                "marker_set.changed": "Changed a marker set of the partnership's own",
                "marker_set.archived": "Archived a marker set of the partnership's own",
                "marker_set.marker_added": "Added a quality marker to the partnership's set",
                "marker_set.marker_changed": "Changed a quality marker of the partnership's set",
                "marker_set.marker_archived": "Archived a quality marker of the partnership's set",
                "marker_set.marker_restored": "Put back an archived quality marker",
                "national_return.recorded": "Recorded a review's national return",
                "national_return.changed": "Changed a review's national return",
                "national_return.exported": "Downloaded the national returns of a year",
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
                "agency_request.cancelled": NotificationKind(
                    label="A request to an agency is cancelled",
                    subject="Cancelled: {{ partnership.name }} no longer needs "
                    "{{ request.get_kind_display|lower }} from {{ request.agency.name }}",
                    template="reviews/requests/email_closed.txt",
                ),
                "agency_request.readdressed": NotificationKind(
                    label="A request to an agency is sent to another agency instead",
                    subject="Re-addressed: {{ partnership.name }} has asked "
                    "{{ new_request.agency.name }} instead of {{ request.agency.name }} for "
                    "{{ request.get_kind_display|lower }}",
                    template="reviews/requests/email_closed.txt",
                ),
                "agency_request.nothing_to_return": NotificationKind(
                    label="An agency is recorded as having nothing to return",
                    subject="Recorded: {{ request.agency.name }} has nothing to return for "
                    "{{ request.review.reference }}",
                    template="reviews/requests/email_closed.txt",
                ),
                "agency_return.received": NotificationKind(
                    label="An agency's return is received",
                    subject="Received: {{ request.get_kind_display|lower }} from "
                    "{{ request.agency.name }} for {{ request.review.reference }}",
                    template="reviews/requests/email_received.txt",
                ),
                "review.report_received": NotificationKind(
                    label="A review's report has arrived",
                    subject="{{ document.get_kind_display }} received for {{ review.reference }} "
                    "{{ review.title }} (version {{ version.version }})",
                    template="reviews/review/email/report_received.txt",
                ),
                "review.ready_for_sign_off": NotificationKind(
                    label="A review is ready for your sign-off",
                    subject="Sign off the review {{ review.reference }} {{ review.title }}",
                    template="reviews/review/email/ready_for_sign_off.txt",
                ),
                "review.sign_off_disagreement_raised": NotificationKind(
                    label="A decision maker declined to sign a review off or disagreed with it",
                    subject=(
                        "{{ disagreement.capacity }} {% if disagreement.kind == 'declined' %}"
                        "declined to sign{% else %}disagrees with{% endif %} the review "
                        "{{ review.reference }} {{ review.title }}"
                    ),
                    template="reviews/review/email/sign_off_disagreement_raised.txt",
                ),
                "review.sign_off_disagreement_resolved": NotificationKind(
                    label="A disagreement with a review's sign-off was resolved",
                    subject="Disagreement resolved: the review {{ review.reference }} "
                    "{{ review.title }}",
                    template="reviews/review/email/sign_off_disagreement_resolved.txt",
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
