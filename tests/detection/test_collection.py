"""The cyclic collector pause around detection runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from detection.collection import collection_paused


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_pause_disables_then_restores() -> None:
    with collection_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_nested_pauses_restore_after_outermost() -> None:
    with collection_paused():
        with collection_paused():
            assert gc.isenabled() is False
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_pause_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    with collection_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is False


def test_pause_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("rule failed")
    assert gc.isenabled() is True
