"""Fixtures for the Amazon integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").is_file())


SAMPLES_DIR = (_repo_root() / "../shared/data/amazon/samples").resolve()


@pytest.fixture
def samples_dir() -> Path:
    """The folder of Amazon sample documents, next to the repository checkout."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"Amazon sample folder {SAMPLES_DIR} is absent")
    return SAMPLES_DIR
