"""Parquet storage of normalized rows: idempotent by row key."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from store.blobs import LocalBlobStore
from store.reportdata import ROW_GROUP_ROWS, ReportDataStore


def rows(*keys: str) -> pa.Table:
    return pa.table({"row_key": list(keys), "quantity": [1] * len(keys)})


def test_upsert_twice_adds_nothing(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    first = store.upsert("usr_a", "ledger_detail", rows("k1", "k2"))
    second = store.upsert("usr_a", "ledger_detail", rows("k1", "k2"))
    assert (first.added, first.total) == (2, 2)
    assert (second.added, second.total) == (0, 2)


def test_upsert_adds_only_new_keys(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    store.upsert("usr_a", "ledger_detail", rows("k1", "k2"))
    result = store.upsert("usr_a", "ledger_detail", rows("k2", "k3", "k3"))
    table = store.read("usr_a", "ledger_detail")
    assert result.added == 1
    assert table is not None
    assert sorted(table.column("row_key").to_pylist()) == ["k1", "k2", "k3"]


def test_users_are_kept_apart(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    store.upsert("usr_a", "ledger_detail", rows("k1"))
    assert store.read("usr_b", "ledger_detail") is None


@pytest.mark.parametrize(
    "user_id", ["../etc", "usr/a", ""], ids=["dotdot", "slash", "empty"]
)
def test_path_rejects_unsafe_names(tmp_path: Path, user_id: str) -> None:
    with pytest.raises(ValueError, match="invalid user id"):
        ReportDataStore(tmp_path).path(user_id, "ledger_detail")


def test_blob_store_is_content_addressed(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    digest, key = blobs.put(b"report bytes")
    again, same_key = blobs.put(b"report bytes")
    assert (digest, key) == (again, same_key)
    assert blobs.get(key) == b"report bytes"
    with pytest.raises(ValueError, match="outside the store"):
        blobs.get("../../etc/passwd")


def test_replace_drops_previous_rows(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    store.upsert("usr_a", "fee_preview", rows("k1", "k2"))
    result = store.replace("usr_a", "fee_preview", rows("k2", "k3", "k3"))
    table = store.read("usr_a", "fee_preview")
    assert table is not None
    assert sorted(table.column("row_key").to_pylist()) == ["k2", "k3"]
    assert result.added == 1
    assert result.total == 2


def test_replace_creates_missing_table(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    result = store.replace("usr_a", "fee_preview", rows("k1"))
    assert (result.added, result.total) == (1, 1)
    assert not (tmp_path / "usr_a" / "fee_preview.parquet.tmp").exists()


def test_replace_leaves_other_tables(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    store.upsert("usr_a", "ledger_detail", rows("k1"))
    store.replace("usr_a", "fee_preview", rows("k9"))
    table = store.read("usr_a", "ledger_detail")
    assert table is not None
    assert table.column("row_key").to_pylist() == ["k1"]


def test_large_table_has_several_row_groups(tmp_path: Path) -> None:
    store = ReportDataStore(tmp_path)
    count = ROW_GROUP_ROWS * 2 + 1
    store.upsert("usr_a", "ledger_detail", rows(*(f"k{i}" for i in range(count))))
    store.replace("usr_a", "fee_preview", rows(*(f"f{i}" for i in range(count))))

    for table in ("ledger_detail", "fee_preview"):
        metadata = pq.ParquetFile(store.path("usr_a", table)).metadata
        assert metadata.num_row_groups == 3
        assert metadata.num_rows == count
