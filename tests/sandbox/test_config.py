"""Sandbox settings from code, environment variables and flags."""

import os
from datetime import date

import pytest

from sandbox.amazon.cli import build_parser, config_from_args
from sandbox.amazon.config import AmazonSandboxConfig, config_from_env


def test_defaults() -> None:
    config = AmazonSandboxConfig()
    assert config.base_url == "http://127.0.0.1:8300"
    assert config.client_id == "amzn1.application-oa2-client.clariosandbox"
    assert config.application_id == "amzn1.sp.solution.clariosandbox"
    assert config.processing_delay_seconds == 3.0
    assert config.seed == 20241104


@pytest.mark.parametrize(
    "values",
    [
        {"error_rate": 1.5},
        {"throttle_rate": -0.1},
        {"latency_seconds": -1.0},
        {"processing_delay_seconds": -1.0},
        {"rate_limit_scale": 0.0},
    ],
    ids=["error-rate", "throttle-rate", "latency", "delay", "scale"],
)
def test_invalid_values_are_rejected(values: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(values))):
        AmazonSandboxConfig(**values)  # type: ignore[arg-type]


def test_env_variables_are_read() -> None:
    env = {
        "SANDBOX_BASE_URL": "http://127.0.0.1:9000/",
        "SANDBOX_AMAZON_REDIRECT_URIS": "http://127.0.0.1/a, http://127.0.0.1/b",
        "SANDBOX_SELLER_DIRS": os.pathsep.join(["/data/one", "/data/two"]),
        "SANDBOX_PROCESSING_DELAY": "0.5",
        "SANDBOX_RATE_LIMIT_SCALE": "100",
    }
    config = AmazonSandboxConfig(**config_from_env(env))
    assert config.base_url == "http://127.0.0.1:9000"
    assert config.redirect_uris == ["http://127.0.0.1/a", "http://127.0.0.1/b"]
    assert config.seller_dirs == ["/data/one", "/data/two"]
    assert config.processing_delay_seconds == 0.5
    assert config.rate_limit_scale == 100.0


def test_env_number_must_parse() -> None:
    with pytest.raises(ValueError, match="SANDBOX_PROCESSING_DELAY"):
        config_from_env({"SANDBOX_PROCESSING_DELAY": "soon"})


def test_flags_override_env() -> None:
    args = build_parser().parse_args(
        [
            "--port",
            "8311",
            "--processing-delay",
            "0",
            "--redirect-uri",
            "http://x/cb",
            "--seller-dir",
            "/data/s1",
            "--today",
            "2026-07-06",
        ]
    )
    env = {"SANDBOX_PROCESSING_DELAY": "9", "SANDBOX_RATE_LIMIT_SCALE": "5"}
    config = config_from_args(args, env)
    assert config.processing_delay_seconds == 0.0
    assert config.rate_limit_scale == 5.0
    assert config.redirect_uris == ["http://x/cb"]
    assert config.seller_dirs == ["/data/s1"]
    assert config.today == date(2026, 7, 6)


def test_base_url_defaults_to_host_and_port() -> None:
    args = build_parser().parse_args(["--port", "8311"])
    assert config_from_args(args, {}).base_url == "http://127.0.0.1:8311"
