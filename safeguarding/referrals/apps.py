from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safeguarding.referrals"
    label = "referrals"
    verbose_name = "Referrals, screening and decisions"
