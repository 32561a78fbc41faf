"""Every page and file a signed-in member of staff can reach is sent with
``Cache-Control: no-store, private`` and a Permissions-Policy (issue 12, item 8).

The walk reuses the access matrix: its objects (one of everything), and every URL pattern,
opened as the business unit user, who may open most of them.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests import test_access_matrix as matrix

world = matrix.world  # the access matrix's fixture: a user per role and one of every object


def url_for(name: str, kwargs: dict, partnership) -> str:
    if name in kwargs:
        return reverse(name, kwargs=kwargs[name])
    try:
        return reverse(name)
    except Exception:
        return reverse(name, kwargs={"slug": partnership.slug})


@pytest.mark.django_db
def test_every_response_to_a_signed_in_user_is_no_store(world):
    users, kwargs, partnership = world
    client = Client()
    client.force_login(users["business_unit"])
    missing = {}
    answered = {}
    for name in matrix.APP_NAMES:
        if name == "accounts:sign_out":  # a GET answers 405; signing out would end the walk
            continue
        url = url_for(name, kwargs, partnership)
        response = client.get(url)
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        if not {"no-store", "private"} <= cache_control or "camera=()" not in response.get(
            "Permissions-Policy", ""
        ):
            missing[name] = (url, response.status_code, response.get("Cache-Control"))
    assert missing == {}
    # The walk saw pages, files and redirects, not only refusals.
    assert answered[200] > 100
    assert answered.get(500) is None


@pytest.mark.django_db
def test_files_staff_download_are_no_store(world):
    users, kwargs, _ = world
    client = Client()
    client.force_login(users["business_unit"])
    for name in ["reviews:document_download", "actions:evidence", "actions:plan_docx"]:
        response = client.get(reverse(name, kwargs=kwargs[name]))
        assert response.status_code == 200, name
        assert response.get("Content-Disposition"), name  # a file, not a page
        assert "no-store" in response["Cache-Control"], name
