from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safeguarding.referrals"
    label = "referrals"
    verbose_name = "Referrals, screening and decisions"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        register_kinds(
            {
                "referral.acknowledged": NotificationKind(
                    label="A referrer is told their referral was received",
                    subject="Referral {{ referral.reference }} received by {{ partnership.name }}",
                    template="referrals/email/acknowledgement.txt",
                ),
            }
        )

        register_actions(
            {
                "referral.submitted": "A referral was submitted",
                "referral.uploaded": "Created a referral from a Word form",
                "referral.identity_viewed": "Viewed the real identity of a person referred",
                "identity.keys_rotated": "Re-encrypted real identities with the first key",
                "referral.linked_to_case": "Linked a referral to a case",
                "case.opened": "Opened a case for screening",
                "case.became_aware_changed": "Corrected the date the partnership became aware",
                "case.screening_saved": "Recorded screening facts",
                "case.sent_for_decision": "Sent a case for decision",
                "decision.recorded": "Recorded a decision",
                "decision.signed": "Signed a decision",
                "decision.finalised": "A decision became final",
                "notification.recorded": "Recorded a notification",
                "case.summary_downloaded": "Downloaded a case's notification summary",
            }
        )
