"""Short-lived server-side records of sign-in and consent pages in progress."""

import secrets
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from .clock import Clock

T = TypeVar("T")

PENDING_LIFETIME = timedelta(minutes=15)


class PendingStore(Generic[T]):
    """Values under random ids that expire after 15 minutes and are taken once."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, tuple[datetime, T]] = {}

    def put(self, value: T) -> str:
        """Store `value` and return its new id."""
        self._drop_expired()
        key = secrets.token_urlsafe(18)
        self._items[key] = (self._clock() + PENDING_LIFETIME, value)
        return key

    def get(self, key: str) -> T | None:
        """Return the live value under `key`, or None."""
        self._drop_expired()
        item = self._items.get(key)
        return item[1] if item else None

    def take(self, key: str) -> T | None:
        """Remove and return the live value under `key`, or None."""
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def _drop_expired(self) -> None:
        now = self._clock()
        for key in [k for k, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]
