import datetime

import pytest
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.clock import services
from safeguarding.clock.models import MilestoneRule, PartnershipMilestoneSetting


@pytest.mark.django_db
def test_settings_page_lists_every_rule_for_the_partnerships_review_types(bu_client, partnership):
    html = bu_client.get(reverse("clock:settings", args=[partnership.slug])).content.decode()
    assert "Notify the Child Safeguarding Practice Review Panel" in html
    assert "Safeguarding Adults Review report" in html
    assert "Decide whether to hold a Domestic Homicide Review" not in html  # runs no DHRs
    assert "Fixed" in html and "Change" in html


@pytest.mark.django_db
def test_a_configurable_rule_gets_the_partnerships_own_value_for_new_milestones(
    bu_client, partnership
):
    rule = MilestoneRule.objects.get(code="lcspr-final-report")
    url = reverse("clock:setting_edit", args=[partnership.slug, rule.pk])
    response = bu_client.post(url, {"offset_amount": "9", "enabled": "on"})
    assert response.status_code == 302
    setting = PartnershipMilestoneSetting.objects.get(partnership=partnership, rule=rule)
    assert (setting.offset_amount, setting.enabled) == (9, True)
    assert AuditEvent.objects.filter(action="milestone.setting_changed").exists()
    started = services.milestones_start(
        partnership=partnership,
        event="lcspr_initiated",
        subject=partnership,
        on_date=datetime.date(2026, 1, 31),
        label="Test",
    )
    (milestone,) = [m for m in started if m.rule_id == rule.pk]
    assert milestone.due_on == datetime.date(2026, 10, 31)
    assert milestone.offset_amount == 9


@pytest.mark.django_db
def test_a_rule_switched_off_starts_no_milestone(bu_client, partnership):
    rule = MilestoneRule.objects.get(code="sar-acknowledge-referral")
    bu_client.post(
        reverse("clock:setting_edit", args=[partnership.slug, rule.pk]), {"offset_amount": "5"}
    )
    started = services.milestones_start(
        partnership=partnership,
        event="sab_aware",
        subject=partnership,
        on_date=datetime.date(2026, 3, 2),
        label="Test",
    )
    assert started == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "0", "abc", "401"])
def test_bad_values_are_refused_and_nothing_is_saved(bu_client, partnership, value):
    rule = MilestoneRule.objects.get(code="lcspr-final-report")
    url = reverse("clock:setting_edit", args=[partnership.slug, rule.pk])
    html = bu_client.post(url, {"offset_amount": value, "enabled": "on"}).content.decode()
    assert "There is a problem" in html
    assert not PartnershipMilestoneSetting.objects.exists()


@pytest.mark.django_db
def test_a_statutory_rule_cannot_be_changed(bu_client, partnership):
    rule = MilestoneRule.objects.get(code="cspr-serious-incident-notification")
    url = reverse("clock:setting_edit", args=[partnership.slug, rule.pk])
    assert bu_client.get(url).status_code == 404
    assert bu_client.post(url, {"offset_amount": "10", "enabled": "on"}).status_code == 404
    assert not PartnershipMilestoneSetting.objects.exists()
