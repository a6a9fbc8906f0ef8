"""Normalized report rows, one Parquet file per seller and table, de-duplicated by key.

Upserts are idempotent: rows whose `row_key` is already stored are skipped, so an
activity that is retried after a crash adds nothing twice. Tables that describe a
current state (the fee preview) are replaced whole instead. A file lock serializes
writers of one table across processes, and each write replaces the file atomically.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

KEY_COLUMN = "row_key"
ROW_GROUP_ROWS = 100_000
"""Rows per Parquet row group. DuckDB splits a Parquet scan across threads by row
group, so a file written as one group of a million rows is read on one core."""


@dataclass(frozen=True)
class UpsertResult:
    added: int
    total: int


class ReportDataStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def path(self, user_id: str, table: str) -> Path:
        if (
            not user_id.replace("_", "").isalnum()
            or not table.replace("_", "").isalnum()
        ):
            raise ValueError(f"invalid user id or table name: {user_id!r}, {table!r}")
        return self._root / user_id / f"{table}.parquet"

    def read(self, user_id: str, table: str) -> pa.Table | None:
        path = self.path(user_id, table)
        return pq.read_table(path) if path.exists() else None

    def upsert(self, user_id: str, table: str, rows: pa.Table) -> UpsertResult:
        """Add the rows whose key is new; return the count added and the new total."""
        path = self.path(user_id, table)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = _unique(rows)
        with _locked(path):
            existing = pq.read_table(path) if path.exists() else None
            if existing is not None:
                known = existing.column(KEY_COLUMN)
                fresh = rows.filter(pc.invert(pc.is_in(rows.column(KEY_COLUMN), known)))
                if fresh.num_rows == 0:
                    return UpsertResult(0, existing.num_rows)
                fresh = (
                    fresh.cast(existing.schema)
                    if fresh.schema != existing.schema
                    else fresh
                )
                combined = pa.concat_tables([existing, fresh])
            else:
                fresh = rows
                combined = rows
            _write_atomically(combined, path)
        return UpsertResult(fresh.num_rows, combined.num_rows)

    def replace(self, user_id: str, table: str, rows: pa.Table) -> UpsertResult:
        """Make the rows the whole table, for data that describes a current state.

        ``added`` counts the keys the previous table lacked. Writers are serialized
        by the same lock as upserts, and the file is replaced atomically, so a
        reader sees either the old table or the new one.
        """
        path = self.path(user_id, table)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = _unique(rows)
        with _locked(path):
            added = rows.num_rows
            if path.exists():
                known = pq.read_table(path, columns=[KEY_COLUMN]).column(KEY_COLUMN)
                is_known = pc.is_in(rows.column(KEY_COLUMN), known)
                added -= pc.sum(is_known.cast(pa.int64())).as_py() or 0
            _write_atomically(rows, path)
        return UpsertResult(added, rows.num_rows)


# Tables stored sorted by these columns. Detection reads a few per cent of the
# ledger (its Adjustments rows) and the reimbursements of some FNSKUs. With the
# rows clustered, DuckDB skips the other vectors instead of decoding their wide
# text columns. Rules never depend on the file's order, because each row keeps
# its source_line.
CLUSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "ledger_detail": ("event_type", "fnsku"),
    "reimbursements": ("fnsku",),
}


def _write_atomically(rows: pa.Table, path: Path) -> None:
    """Write `rows` to a temporary file next to `path` and rename it over `path`,
    so that a reader sees the old file or the new one, never a partial one."""
    temporary = path.with_suffix(".parquet.tmp")
    cluster = [
        (name, "ascending")
        for name in CLUSTER_COLUMNS.get(path.stem, ())
        if name in rows.schema.names
    ]
    if cluster:
        rows = rows.sort_by([*cluster, (KEY_COLUMN, "ascending")])
    pq.write_table(rows, temporary, row_group_size=ROW_GROUP_ROWS)
    os.replace(temporary, path)


def _unique(rows: pa.Table) -> pa.Table:
    keys = rows.column(KEY_COLUMN).to_pylist()
    seen: set[str] = set()
    keep = []
    for index, key in enumerate(keys):
        if key not in seen:
            seen.add(key)
            keep.append(index)
    return rows if len(keep) == rows.num_rows else rows.take(keep)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_suffix(".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
