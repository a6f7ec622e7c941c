"""WGBOT_PUBLIC_URL: http or https, no query or fragment; links start with it exactly."""

from __future__ import annotations

import pytest

from wgbot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://wg.example.org", "https://wg.example.org"),
        ("https://wg.example.org/", "https://wg.example.org"),
        ("https://example.org/ogp/", "https://example.org/ogp"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_a_public_url_is_the_base_of_the_links(given: str, base: str) -> None:
    assert load_settings(_env_file=None, public_url=given).public_base == base


def test_no_public_url_means_nothing_can_be_published() -> None:
    assert load_settings(_env_file=None).public_base is None


@pytest.mark.parametrize(
    "given",
    ["ftp://wg.example.org", "wg.example.org", "https://wg.example.org/?a=1", "https://x/#p"],
)
def test_a_malformed_public_url_stops_the_start_naming_the_variable(given: str) -> None:
    with pytest.raises(SettingsError, match=r"^WGBOT_PUBLIC_URL: "):
        load_settings(_env_file=None, public_url=given)
