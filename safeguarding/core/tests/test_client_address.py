"""The client's address through a configured number of trusted proxies (issue 12 item 1)."""

import datetime

import pytest
from django.test import RequestFactory, override_settings

from safeguarding.core.client_address import client_address
from safeguarding.core.rate_limits import RateLimit

PROXY = "10.0.0.5"


def _request(remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_with_no_trusted_proxy_a_forged_forwarded_for_is_ignored():
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_the_proxy_added():
    assert client_address(_request(PROXY, "198.51.100.1")) == "198.51.100.1"
    # The client wrote the first address itself: only the one the proxy appended counts.
    assert client_address(_request(PROXY, "192.0.2.66, 198.51.100.1")) == "198.51.100.1"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_second_from_the_right():
    assert client_address(_request(PROXY, "192.0.2.66, 198.51.100.1, 10.0.0.4")) == ("198.51.100.1")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_request_that_did_not_come_through_the_proxy_uses_remote_addr():
    assert client_address(_request("203.0.113.9")) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", "")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_addresses_are_normalised_and_rubbish_falls_back_to_remote_addr():
    assert client_address(_request(PROXY, "198.51.100.1:52311")) == "198.51.100.1"
    assert client_address(_request(PROXY, "[2001:DB8::1]:443")) == "2001:db8::1"
    assert client_address(_request(PROXY, "2001:db8:0:0::2")) == "2001:db8::2"
    assert client_address(_request(PROXY, "not-an-address")) == PROXY


def test_no_request_has_no_address():
    assert client_address(None) == ""


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_two_clients_behind_the_same_proxy_are_limited_apart():
    limit = RateLimit(bucket="test:client", limit=2, window=datetime.timedelta(hours=1))
    first = client_address(_request(PROXY, "198.51.100.1"))
    second = client_address(_request(PROXY, "198.51.100.2"))
    assert [limit.allow(first) for _ in range(3)] == [True, True, False]
    assert limit.allow(second) is True


@pytest.mark.django_db
def test_an_unknown_address_is_never_limited():
    limit = RateLimit(bucket="test:client", limit=1, window=datetime.timedelta(hours=1))
    assert [limit.allow("") for _ in range(3)] == [True, True, True]
