"""Row keys: the idempotency key of each parsed row (``row_key``).

A key function works on whole columns, which is much faster in Python than one call
per row. It gets the parsed output columns by name (``*_raw`` included), the file's
raw text of each declared column it has (by normalized documented header), and the
row count, and returns one key per row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

RowKey = Callable[
    [Mapping[str, Sequence[Any]], Mapping[str, Sequence[str]], int], list[str]
]


def hash_row(
    values: Mapping[str, Sequence[Any]], raw: Mapping[str, Sequence[str]], count: int
) -> list[str]:
    """Return the sha256 hex digest of each row's raw fields, sorted by column name.

    Blank fields and undeclared columns are left out, so a column that a newer file
    adds, or an optional column that one file has and another lacks, does not change
    the key of a row already stored. A row encodes as "\0name\0value" for each
    field. The parser rejects text with NUL characters, so no two different rows
    encode alike.
    """
    del values
    # The name and value tokens are joined once per row, because building one string
    # per field costs more time than the hashing.
    tokens: list[Iterable[str]] = []
    for name in sorted(raw):
        prefix = f"\0{name}\0"
        texts = raw[name]
        if all(map(str.strip, texts)):
            tokens += [repeat(prefix, count), texts]
        else:
            tokens.append([prefix if t.strip() else "" for t in texts])
            tokens.append([t if t.strip() else "" for t in texts])

    encoded = ["".join(parts) for parts in zip(*tokens, strict=True)] if tokens else []
    encoded += [""] * (count - len(encoded))
    return [hashlib.sha256(text.encode()).hexdigest() for text in encoded]


def join_fields(*names: str) -> RowKey:
    """Build a key function that joins the named parsed values with "|"."""

    def key(
        values: Mapping[str, Sequence[Any]],
        raw: Mapping[str, Sequence[str]],
        count: int,
    ) -> list[str]:
        del raw, count
        columns = [["" if v is None else str(v) for v in values[n]] for n in names]
        return ["|".join(parts) for parts in zip(*columns, strict=True)]

    return key


def first_filled(name: str, fallback: RowKey) -> RowKey:
    """Build a key function that uses the named value when filled, else ``fallback``."""

    def key(
        values: Mapping[str, Sequence[Any]],
        raw: Mapping[str, Sequence[str]],
        count: int,
    ) -> list[str]:
        fallback_keys = fallback(values, raw, count)
        own = values[name]
        return [str(v) if v else f for v, f in zip(own, fallback_keys, strict=True)]

    return key
