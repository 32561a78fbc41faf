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
                "decision.awaiting_signature": NotificationKind(
                    label="A decision is waiting for your signature",
                    subject=(
                        "Sign the {{ track.get_review_type_display }} decision on "
                        "{{ case.reference }} ({{ case.pseudonym }})"
                    ),
                    template="referrals/email/decision_awaiting_signature.txt",
                ),
                "decision.disagreement_raised": NotificationKind(
                    label="A decision maker declined to sign or disagreed with a decision",
                    subject=(
                        "{{ disagreement.capacity }} {% if disagreement.kind == 'declined' %}"
                        "declined to sign{% else %}disagrees with{% endif %} the "
                        "{{ track.get_review_type_display }} decision on {{ case.reference }}"
                    ),
                    template="referrals/email/disagreement_raised.txt",
                ),
                "decision.disagreement_resolved": NotificationKind(
                    label="A disagreement about a decision was resolved",
                    subject=(
                        "Disagreement resolved: the {{ track.get_review_type_display }} "
                        "decision on {{ case.reference }}"
                    ),
                    template="referrals/email/disagreement_resolved.txt",
                ),
                # Sharing a case with another partnership (ADR 0022): the other side's
                # business unit is told of each step.
                "case_share.invited": NotificationKind(
                    label="Another partnership offers to share a case with yours",
                    subject=(
                        "{{ owner.name }} offers to share case {{ case.reference }} "
                        "({{ case.pseudonym }})"
                    ),
                    template="referrals/email/case_share_invited.txt",
                ),
                "case_share.accepted": NotificationKind(
                    label="A partnership accepted a case you shared",
                    subject="{{ share.partner.name }} accepted case {{ case.reference }}",
                    template="referrals/email/case_share_accepted.txt",
                ),
                "case_share.declined": NotificationKind(
                    label="A partnership declined a case you shared",
                    subject="{{ share.partner.name }} declined case {{ case.reference }}",
                    template="referrals/email/case_share_declined.txt",
                ),
                "case_share.ended": NotificationKind(
                    label="The share of a case between two partnerships ended",
                    subject="Case {{ case.reference }} is no longer shared",
                    template="referrals/email/case_share_ended.txt",
                ),
            }
        )

        register_actions(
            {
                "referral.submitted": "A referral was submitted",
                "referral.uploaded": "Created a referral from a Word form",
                "referral.source_agency_set": "Set the agency a referral came from",
                "referral.identity_viewed": "Viewed the real identity of a person referred",
                "identity.keys_rotated": "Re-encrypted real identities with the first key",
                "referral.linked_to_case": "Linked a referral to a case",
                "case.opened": "Opened a case for screening",
                "case.became_aware_changed": "Corrected the date the partnership became aware",
                "case.guidance_recorded": "Recorded the guidance versions the case follows",
                "case.screening_saved": "Recorded screening facts",
                "case.sent_for_decision": "Sent a case for decision",
                "decision.recorded": "Recorded a decision",
                "decision.signed": "Signed a decision",
                "decision.finalised": "A decision became final",
                "decision.declined": "Declined to sign a decision",
                "decision.disagreed": "Disagreed with a decision",
                "decision.disagreement_resolved": "Recorded how a disagreement was resolved",
                "decision.signatory_replaced": "Replaced a signatory of a decision who had left",
                "notification.recorded": "Recorded a notification",
                "case.summary_downloaded": "Downloaded a case's notification summary",
                "case_share.invited": "Offered a case to another partnership",
                "case_share.accepted": "Accepted a case another partnership shared",
                "case_share.declined": "Declined a case another partnership shared",
                "case_share.ended": "Ended the share of a case between two partnerships",
            }
        )
