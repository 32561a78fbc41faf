"""Response headers (issue 12, item 8): Permissions-Policy on every response; no-store on
everything a signed-in user receives; anonymous public pages left as they were. The walk of
every page as a signed-in user is in tests/test_security_headers.py."""

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.views.decorators.cache import cache_control


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_every_response_switches_off_unused_browser_features(client):
    response = client.get(reverse("public_site:home"))
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]:
        assert policy[feature] == "()", feature
    assert set(policy) == set(settings.PERMISSIONS_POLICY)


@pytest.mark.django_db
def test_static_files_and_errors_get_the_permissions_policy_too(client):
    assert "camera=()" in client.get("/static/css/app.css")["Permissions-Policy"]
    assert "camera=()" in client.get("/no-such-page/")["Permissions-Policy"]


@pytest.mark.django_db
def test_anonymous_public_pages_are_not_marked_no_store(client, partnership):
    for url in [reverse("public_site:home"), reverse("public_site:reviews", args=["testshire"])]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in directives(response), url


@pytest.mark.django_db
def test_signed_in_users_get_no_store_even_on_public_pages_and_files(bu_client, document):
    for url in [
        reverse("public_site:home"),
        reverse("public_site:document_download", args=["testshire", document.pk]),
    ]:
        response = bu_client.get(url)
        assert response.status_code == 200
        assert {"no-store", "private"} <= directives(response), url


@pytest.mark.django_db
def test_signing_in_is_answered_no_store(client, business_unit_user):
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": "bu@testshire.example", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert {"no-store", "private"} <= directives(response)


@login_not_required
@cache_control(public=True, max_age=3600)
def cacheable_public_page(request):
    return HttpResponse("public")


urlpatterns = [path("cacheable/", cacheable_public_page), path("", include("config.urls"))]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_public_page_that_allows_caching_is_not_cached_for_signed_in_users(
    client, business_unit_user
):
    assert {"public", "max-age=3600"} <= directives(client.get("/cacheable/"))
    client.force_login(business_unit_user)
    signed_in = directives(client.get("/cacheable/"))
    assert "public" not in signed_in
    assert {"no-store", "private"} <= signed_in
