"""Opaque, prefixed, unguessable ids (`usr_...`, `rec_...`, `syn_...`)."""

from __future__ import annotations

import secrets
from typing import Literal

IdPrefix = Literal["usr", "ses", "con", "syn", "rpt", "det", "rec", "doc", "req"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: IdPrefix, length: int = 20) -> str:
    """Return a random id such as `usr_5k2m...`: 100 bits of randomness by default."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return f"{prefix}_{body}"


def has_prefix(value: str, prefix: IdPrefix) -> bool:
    """Tell whether `value` looks like an id with `prefix` (no database lookup)."""
    head, sep, body = value.partition("_")
    return sep == "_" and head == prefix and bool(body) and set(body) <= set(_ALPHABET)
