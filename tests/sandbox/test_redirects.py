"""Redirect URI registration rules."""

import pytest

from sandbox.amazon.redirects import RedirectPolicy, with_query

REGISTERED = [
    "https://app.example.com/api/auth/amazon/callback",
    "https://app.example.com/api/v1/integrations/amazon/callback",
]


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1:8000/cb", True),
        ("http://localhost/cb", True),
        ("https://[::1]:8443/cb", True),
        ("http://example.com/cb", False),
        ("ftp://127.0.0.1/cb", False),
    ],
    ids=["ipv4-loopback", "localhost", "ipv6-loopback", "remote-host", "ftp"],
)
def test_empty_registration_accepts_loopback_only(uri: str, allowed: bool) -> None:
    assert RedirectPolicy([]).is_allowed(uri) is allowed


def test_registered_uris_need_exact_match() -> None:
    policy = RedirectPolicy(REGISTERED)
    assert policy.is_allowed(REGISTERED[0])
    assert not policy.is_allowed(REGISTERED[0] + "/")
    assert not policy.is_allowed("http://127.0.0.1:8000/cb")


def test_default_consent_uri_is_integrations_callback() -> None:
    assert RedirectPolicy(REGISTERED).default_consent_uri() == REGISTERED[1]


def test_default_consent_uri_none_without_callback() -> None:
    assert RedirectPolicy(REGISTERED[:1]).default_consent_uri() is None


def test_with_query_keeps_existing_parameters() -> None:
    assert with_query("http://h/cb?a=1", {"b": "x y"}) == "http://h/cb?a=1&b=x+y"
