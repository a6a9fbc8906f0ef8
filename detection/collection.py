"""Pausing Python's cyclic garbage collector while rules build their records.

A detection run allocates hundreds of thousands of short-lived tuples and lists,
none of them in reference cycles, and each allocation burst triggers collections
that traverse every live object again. Pausing the collector for the run removes
that work. Reference counting still frees every object as usual, and the
collector runs again as soon as the run ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """Open pauses across threads, and the collector's state before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.was_enabled = True


_PAUSES = _Pauses()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block, then restore its state.

    Blocks may nest and run in several threads at once: the collector is enabled
    again when the last open block ends, and only if it was enabled before the
    first one began.
    """
    with _PAUSES.lock:
        if _PAUSES.open == 0:
            _PAUSES.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSES.open += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.open -= 1
            if _PAUSES.open == 0 and _PAUSES.was_enabled:
                gc.enable()
