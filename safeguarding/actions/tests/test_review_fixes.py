"""Regressions from the code review of the actions app: control characters in notes don't
break the exports; an action's owner must be one of the partnership's agencies."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.actions import services
from safeguarding.core.errors import ServiceError

from .support import add_action, add_recommendation, signed_off_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(partnership, business_unit_user, agency, sample_pdf):
    partnership.agencies.add(agency)
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    recommendation = add_recommendation(review, business_unit_user, agencies=[agency])
    return add_action(recommendation, business_unit_user, agency)


def test_control_characters_in_a_note_do_not_break_the_exports(
    bu_client, action, business_unit_user
):
    services.action_progress(
        action=action,
        actor=business_unit_user,
        note="Pasted from another system:\x0b\x0cdone\x01.",
        status="on_track",
    )
    services.action_change(
        action=action,
        actor=business_unit_user,
        text="Agree a protocol\x0b",
        agency=action.agency,
        lead_name=action.lead_name,
        target_date=action.target_date,
    )
    slug = action.partnership.slug
    response = bu_client.get(reverse("actions:tracker_xlsx", args=[slug]))
    assert response.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    assert any("Agree a protocol" in str(c.value) for row in sheet.iter_rows() for c in row)
    review_pk = action.recommendation.review_id
    assert bu_client.get(reverse("actions:plan_docx", args=[slug, review_pk])).status_code == 200
    assert bu_client.get(reverse("actions:plan_xlsx", args=[slug, review_pk])).status_code == 200


def test_an_action_owner_must_be_one_of_the_partnership_agencies(action, business_unit_user):
    elsewhere = AgencyFactory(name="Far Away Police", slug="far-away-police")
    with pytest.raises(ServiceError) as raised:
        services.action_add(
            recommendation=action.recommendation,
            actor=business_unit_user,
            text="Not ours.",
            agency=elsewhere,
            lead_name="Someone",
            target_date=datetime.date.today() + datetime.timedelta(days=10),
        )
    assert raised.value.field == "agency"
