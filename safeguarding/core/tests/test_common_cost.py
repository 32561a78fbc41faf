"""What every staff page pays (issue 16): the remembered ``{% url %}``, ``{% once %}``, the
per-request reads with SQL built once, and the user without its lazy proxies. (The unread
count: notifications/tests/test_pages.py.)"""

import datetime
import re

import pytest
from django.http import Http404
from django.template import Context, Template, engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.functional import LazyObject

from safeguarding.accounts.models import Role
from safeguarding.accounts.permissions import roles_in
from safeguarding.accounts.selectors import partnership_get_for_user, partnership_get_public
from safeguarding.accounts.tests.factories import MembershipFactory
from safeguarding.core.templatetags.cached_url import _reverse


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


# |date ----------------------------------------------------------------------------------


DATE_FORMATS = ["j F Y", "D j M Y", "l j F Y", "j M Y", "Y-m-d", "jS F Y", "N j, Y", "d/m/Y"]


def test_date_is_django_s_date_for_dates_datetimes_and_other_values():
    from django.template.defaultfilters import date as django_date
    from django.utils import timezone, translation

    from safeguarding.core.templatetags.cached_date import _date_format

    _date_format.cache_clear()
    day = datetime.date(2026, 9, 3)
    moment = timezone.make_aware(datetime.datetime(2026, 3, 29, 1, 30), datetime.UTC)
    for language in ["en-gb", "cy"]:
        with translation.override(language):
            for _ in range(2):  # written, then remembered
                for fmt in [*DATE_FORMATS, None]:
                    source = "{{ d|date }}" if fmt is None else "{{ d|date:f }}"
                    assert render(source, d=day, f=fmt) == django_date(day, fmt)
                    # a datetime (in the current time zone) is never remembered
                    assert render(source, d=moment, f=fmt) == django_date(
                        timezone.localtime(moment), fmt
                    )
                assert render("{{ d|date:'H:i' }}", d=moment) == "02:30"  # British Summer Time
                assert render("[{{ d|date:'j F' }}]", d=None) == "[]"
                assert render("[{{ d|date:'j F' }}]", d="") == "[]"
    assert _date_format.cache_info().hits > 0


def test_date_forgets_on_a_change_of_settings():
    from safeguarding.core.templatetags.cached_date import _date_format

    assert render("{{ d|date }}", d=datetime.date(2026, 9, 3)) == "3 Sep 2026"
    assert _date_format.cache_info().currsize > 0
    with override_settings(DATE_FORMAT="Y/m/d"):
        assert _date_format.cache_info().currsize == 0


# {% url %} --------------------------------------------------------------------------------


def test_url_is_django_s_url_for_every_kind_of_argument(partnership):
    _reverse.cache_clear()
    for _ in range(2):  # built, then remembered
        fixed = render("{% url 'public_site:accessibility' %}")
        assert fixed == reverse("public_site:accessibility")
        assert render("{% url 'public_site:reviews' slug %}", slug="testshire") == reverse(
            "public_site:reviews", args=["testshire"]
        )
        assert render("{% url 'public_site:reviews' slug=slug %}", slug="testshire") == reverse(
            "public_site:reviews", kwargs={"slug": "testshire"}
        )
        assert (
            render("{% url 'public_site:reviews' p.slug as there %}[{{ there }}]", p=partnership)
            == f"[{reverse('public_site:reviews', args=['testshire'])}]"
        )
        assert render("{% url 'notifications:detail' 7 %}") == reverse(
            "notifications:detail", args=[7]
        )
    assert _reverse.cache_info().hits >= 5


def test_url_never_takes_a_bool_for_an_int():
    _reverse.cache_clear()
    by_bool = render("{% url 'public_site:reviews' n %}", n=True)
    by_int = render("{% url 'public_site:reviews' n %}", n=1)
    # True and 1 are equal keys to a dict: the bool is never one.
    assert (by_bool, by_int) == (
        reverse("public_site:reviews", args=[True]),
        reverse("public_site:reviews", args=[1]),
    )
    assert by_bool != by_int
    assert _reverse.cache_info().currsize == 1


def test_url_that_does_not_reverse_still_fails_and_is_not_remembered():
    _reverse.cache_clear()
    with pytest.raises(NoReverseMatch):
        render("{% url 'no_such_page' %}")
    assert render("{% url 'no_such_page' as nothing %}[{{ nothing }}]") == "[]"
    assert _reverse.cache_info().currsize == 0


def test_url_follows_the_script_prefix():
    try:
        set_script_prefix("/one/")
        first = render("{% url 'public_site:accessibility' %}")
        set_script_prefix("/two/")
        second = render("{% url 'public_site:accessibility' %}")
    finally:
        set_script_prefix("/")
    assert first.startswith("/one/") and second.startswith("/two/")
    assert render("{% url 'public_site:accessibility' %}") == reverse("public_site:accessibility")


# {% once %} -------------------------------------------------------------------------------


def test_once_renders_its_body_once_for_each_value():
    template = Template("{% load layout %}{% once flag %}{{ flag }}:{{ other }}{% endonce %}")
    assert template.render(Context({"flag": True, "other": "a"})) == "True:a"
    # The same value: the first rendering, whatever else changed (so never use it for that).
    assert template.render(Context({"flag": True, "other": "b"})) == "True:a"
    assert template.render(Context({"flag": False, "other": "c"})) == "False:c"
    # 1 is not True.
    assert template.render(Context({"flag": 1, "other": "d"})) == "1:d"


def test_once_renders_afresh_a_value_that_is_not_plain():
    template = Template("{% load layout %}{% once value %}{{ value|length }}{% endonce %}")
    assert template.render(Context({"value": [1]})) == "1"
    assert template.render(Context({"value": [1, 2]})) == "2"


def test_once_forgets_on_a_change_of_settings():
    template = Template("{% load layout %}{% once %}{{ service_name }}{% endonce %}")
    assert template.render(Context({"service_name": "A"})) == "A"
    with override_settings(SERVICE_NAME="B"):
        assert template.render(Context({"service_name": "B"})) == "B"


def test_once_leaving_the_csrf_token_fills_it_in_on_every_render():
    template = Template(
        "{% load layout %}{% once flag leaving csrf_token %}"
        "{{ flag }}:{{ other }}:{% csrf_token %}.{% csrf_token %}{% endonce %}"
    )

    def field(token: str) -> str:
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'

    first = template.render(Context({"flag": True, "other": "a", "csrf_token": "t1"}))
    assert first == f"True:a:{field('t1')}.{field('t1')}"
    again = template.render(Context({"flag": True, "other": "b", "csrf_token": "t2"}))
    assert again == f"True:a:{field('t2')}.{field('t2')}"
    # The token escaped as {% csrf_token %} escapes it; none, or NOTPROVIDED: rendered afresh.
    assert field("&lt;x&gt;") in template.render(
        Context({"flag": True, "other": "c", "csrf_token": "<x>"})
    )
    for missing in ({}, {"csrf_token": "NOTPROVIDED"}):
        assert template.render(Context({"flag": True, "other": "d", **missing})) == "True:d:."
    # A body without the token: as {% once %}.
    plain = Template("{% load layout %}{% once leaving csrf_token %}{{ other }}{% endonce %}")
    assert plain.render(Context({"other": "e", "csrf_token": "t3"})) == "e"
    assert plain.render(Context({"other": "f", "csrf_token": "t4"})) == "e"


def test_the_staff_navigation_follows_its_partnership_count_and_token(
    client, business_unit_user, partnership, user_for_role
):
    from safeguarding.notifications.models import Notification

    client.force_login(business_unit_user)
    home = reverse("workspace:partnership_home", args=[partnership.slug])
    tokens = set()
    for unread in (0, 1, 0):
        Notification.objects.filter(recipient=business_unit_user).delete()
        for _ in range(unread):
            Notification.objects.create(
                recipient=business_unit_user,
                email=business_unit_user.email,
                partnership=partnership,
                kind="test",
                subject="s",
                body="b",
            )
        page = client.get(home).content.decode()
        tag = '<strong class="govuk-tag govuk-tag--blue">1<span'
        assert (tag in page) is (unread == 1)
        assert f'href="{reverse("workspace:case_list", args=[partnership.slug])}"' in page
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    assert len(tokens) == 3  # masked afresh for each request
    administrator = user_for_role(Role.ADMINISTRATOR)
    client.force_login(administrator)
    page = client.get(reverse("people:list", args=[partnership.slug])).content.decode()
    assert "Cases and reviews</a>" not in page  # not for administrators
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Public page</a>" not in page  # no partnership


def test_the_csrf_token_is_django_s_token_masked_afresh(client, business_unit_user):
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
    from django.test import Client, RequestFactory

    from safeguarding.core.context_processors import masked_csrf_token

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "a" * 16 + "Z9" * 8
    tokens = [masked_csrf_token(request) for _ in range(300)]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(set(tokens)) == 300
    assert all(len(t) == 64 and _unmask_cipher_token(t) == "a" * 16 + "Z9" * 8 for t in tokens)
    assert set("".join(t[:32] for t in tokens)) == set(CSRF_ALLOWED_CHARS)
    # No secret yet: Django's get_token makes one.
    fresh = RequestFactory().get("/")
    assert _unmask_cipher_token(masked_csrf_token(fresh)) == fresh.META["CSRF_COOKIE"]
    # A page's token is accepted by Django's CSRF check, and a wrong one refused.
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(business_unit_user)
    page = checked.get(reverse("accounts:account")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    sign_out = reverse("accounts:sign_out")
    assert checked.post(sign_out, {"csrfmiddlewaretoken": token[::-1]}).status_code == 403
    assert checked.post(sign_out, {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_layout_s_fixed_parts_follow_the_user(client, business_unit_user):
    sign_in = reverse("accounts:sign_in")
    anonymous = client.get(reverse("public_site:accessibility")).content.decode()
    assert f'href="{sign_in}">Staff sign in' in anonymous
    client.force_login(business_unit_user)
    signed_in = client.get(reverse("accounts:account")).content.decode()
    assert "Staff sign in" not in signed_in
    assert "Accessibility statement" in signed_in
    links = [re.findall(r'<link rel="[^"]+"[^>]*>', page) for page in (anonymous, signed_in)]
    assert links[0] == links[1]
    assert len(links[0]) == 3
    assert (
        client.get(reverse("public_site:accessibility")).content.decode().count("Staff sign in")
        == 0
    )


# Reads with SQL built once ----------------------------------------------------------------


def test_partnership_by_slug(partnership, business_unit_user, other_partnership):
    found = partnership_get_public(slug="testshire")
    assert found == partnership
    assert (found.name, found.slug) == (partnership.name, partnership.slug)
    assert found._state.adding is False
    with pytest.raises(Http404):
        partnership_get_public(slug="nowhere")
    assert partnership_get_for_user(user=business_unit_user, slug="testshire") == partnership
    with pytest.raises(Http404):
        partnership_get_for_user(user=business_unit_user, slug="elsewhere")


def test_roles_in_each_partnership(partnership, other_partnership, user_for_role):
    user = user_for_role(Role.BUSINESS_UNIT)
    MembershipFactory(user=user, partnership=partnership, role=Role.PANEL_MEMBER)
    MembershipFactory(user=user, partnership=other_partnership, role=Role.ADMINISTRATOR)
    assert roles_in(user, partnership) == {Role.BUSINESS_UNIT, Role.PANEL_MEMBER}
    assert roles_in(user, other_partnership) == {Role.ADMINISTRATOR}
    assert roles_in(user_for_role(Role.REVIEWER), other_partnership) == frozenset()


def test_the_request_s_user_is_the_user_itself(client, business_unit_user):
    response = client.get(reverse("accounts:sign_in"))
    assert not isinstance(response.wsgi_request.user, LazyObject)
    client.force_login(business_unit_user)
    response = client.get(reverse("workspace:staff_home"))
    user = response.wsgi_request.user
    assert not isinstance(user, LazyObject)
    assert user == business_unit_user
    assert user.is_verified() is False


def test_the_account_page_reads_the_device_answer_the_user_came_with(
    client, business_unit_user, django_assert_num_queries
):
    # The session, the user (with "has a confirmed device?"), the memberships, the unread count:
    # no query of its own for the two-factor line (two before: one per device model).
    client.force_login(business_unit_user)
    client.get(reverse("accounts:account"))
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:account"))
    row = response.content.decode().split("Two-factor sign-in</dt>")[1]
    assert row.split("</dd>")[0].endswith(">Off")
