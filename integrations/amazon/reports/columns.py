"""Column declarations and the mapping of a file's header onto them.

Headers drift between files and documentation ("Event Type", "EventType",
"event-type"), so columns are matched by a normalized name and never by position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


class Kind(Enum):
    """The conversion that turns a column's text into a value."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a report type.

    ``name`` is the output column (snake_case) and ``header`` the header as Amazon
    documents it; ``aliases`` are further spellings that normalize differently.
    A ``required`` column must be in the header. A blank field takes the text of
    the ``fallback`` column when one is named. Otherwise it becomes None when
    ``nullable`` and "" in a text column, and it is an error in any other column.
    ``blanks`` are placeholder texts that count as a blank field, such as the fee
    preview's "--".
    DATE and TIMESTAMP columns also produce ``<name>_raw`` with the text as in the
    file.
    """

    name: str
    header: str
    kind: Kind = Kind.TEXT
    required: bool = True
    nullable: bool = False
    fallback: str | None = None
    aliases: tuple[str, ...] = ()
    blanks: tuple[str, ...] = ()

    @property
    def keeps_raw(self) -> bool:
        """Whether the column also produces ``<name>_raw``."""
        return self.kind in (Kind.DATE, Kind.TIMESTAMP)

    @property
    def normalized_names(self) -> tuple[str, ...]:
        """The normalized header and aliases that select this column."""
        return tuple(normalize_header(h) for h in (self.header, *self.aliases))


def normalize_header(name: str) -> str:
    """Return the header lower-cased, keeping only ASCII letters and digits.

    "Event Type", "EventType" and "event-type" all become "eventtype".
    """
    return _NOT_ALPHANUMERIC.sub("", name.lower())


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """The positions of declared columns in one file's header.

    ``positions`` maps a column name to its field index, for columns the file has.
    ``unknown`` lists header names that match no declared column,
    ``missing_required`` the documented headers of required columns the file lacks,
    and ``ambiguous`` the declared columns that two header fields select.
    """

    positions: dict[str, int]
    unknown: tuple[str, ...]
    missing_required: tuple[str, ...]
    ambiguous: tuple[str, ...]


def map_header(header: Sequence[str], columns: Sequence[Column]) -> HeaderMap:
    """Match a file's header fields to declared columns by normalized name.

    The first field that selects a column wins. An empty header field is ignored.
    """
    by_normalized = {n: c for c in columns for n in c.normalized_names}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []

    for index, raw_name in enumerate(header):
        normalized = normalize_header(raw_name)
        column = by_normalized.get(normalized)
        if column is None:
            if normalized:
                unknown.append(raw_name)
        elif column.name in positions:
            ambiguous.append(column.header)
        else:
            positions[column.name] = index

    missing = tuple(c.header for c in columns if c.required and c.name not in positions)
    return HeaderMap(positions, tuple(unknown), missing, tuple(ambiguous))
