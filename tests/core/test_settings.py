"""Settings: documented in .env.example, safe defaults refused outside development."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def documented_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*(CLARIO_[A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_setting_is_in_env_example() -> None:
    expected = {f"CLARIO_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented_names() == set()


def test_env_example_names_only_real_settings() -> None:
    expected = {f"CLARIO_{name.upper()}" for name in Settings.model_fields}
    assert documented_names() - expected == set()


def test_env_example_parses() -> None:
    settings = Settings(_env_file=ROOT / ".env.example")
    assert settings.cors_origins[0] == "https://app.clario.ai"
    assert settings.uses_amazon_sandbox


def test_production_rejects_default_secrets() -> None:
    with pytest.raises(ValidationError, match="CLARIO_SESSION_SECRET"):
        Settings(_env_file=None, environment="production")


def test_production_accepts_real_secrets() -> None:
    settings = Settings(
        _env_file=None,
        environment="production",
        session_secret="s" * 40,
        encryption_key="e" * 40,
        amazon_client_secret="c" * 40,
    )
    assert settings.environment == "production"
