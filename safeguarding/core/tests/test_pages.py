import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_a_strict_content_security_policy(client):
    response = client.get(reverse("public_site:home"))
    assert len(response["X-Request-ID"]) == 32
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'sha256-" in policy
    assert "nonce-" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": "bad id <script>"})
    assert response["X-Request-ID"] != "bad id <script>"


@pytest.mark.django_db
def test_base_layout_has_skip_link_header_navigation_phase_banner_and_footer(client):
    html = client.get(reverse("public_site:home")).content.decode()
    assert 'href="#main-content" class="govuk-skip-link"' in html
    assert '<header class="govuk-template__header">' in html
    assert "govuk-service-navigation" in html
    assert "Manage safeguarding reviews" in html
    assert "govuk-phase-banner" in html
    assert '<footer class="govuk-template__footer">' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html


@pytest.mark.django_db
def test_partnership_pages_name_the_partnership_in_the_header(client, partnership):
    html = client.get(reverse("public_site:reviews", args=[partnership.slug])).content.decode()
    assert "govuk-generic-header__homepage-link app-header-partnership" in html
    assert "Testshire Safeguarding Partnership</a>" in html


@pytest.mark.django_db
def test_csrf_failure_is_a_govuk_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign_in"), {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403
    assert "Sorry, we could not send that form" in response.content.decode()


@pytest.mark.django_db
def test_403_page_is_govuk_styled(client_for, partnership):
    client = client_for("reviewer")
    response = client.get(reverse("audit:trail", args=[partnership.slug]))
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


def test_500_page_renders_without_a_database_or_context(rf):
    from safeguarding.core.errors_views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
