"""run_detection: inputs, keys, ordering, totals and evidence."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from detection import DetectionInput, run_detection
from detection.tables import REQUIRED_COLUMNS
from tests.detection.builders import (
    FNSKU,
    LEDGER_SCHEMA,
    REIMBURSEMENT_SCHEMA,
    SKU,
    T0,
    days,
    detect,
    ledger_row,
    ledger_table,
    reimbursement_row,
    reimbursement_table,
)

RIPE = T0 + days(20)


def _mixed_ledger() -> list[dict[str, object]]:
    # With _mixed_reimbursements, F and R1 pay off loss A. B (damaged) and D stay
    # open at 7.41 each, valued from R0. C has another FNSKU and no estimate, so
    # its confidence is low.
    return [
        ledger_row(quantity=-2, reference_id="A"),
        ledger_row(at=T0 + days(1), quantity=1, reason="F"),
        ledger_row(at=T0 + days(2), quantity=-1, reason="E", reference_id="B"),
        ledger_row(at=T0 + days(3), quantity=-4, fnsku="X00OTHER01", reference_id="C"),
        ledger_row(at=T0 + days(4), quantity=-1, reference_id="D"),
        ledger_row(at=T0 + days(4), quantity=-1, event_type="Shipments", reason=""),
    ]


def _mixed_reimbursements() -> list[dict[str, object]]:
    return [
        reimbursement_row(at=T0 + days(5), reimbursement_id="R1", quantity=1),
        reimbursement_row(
            at=T0 - days(40), reimbursement_id="R0", reason="CustomerReturn"
        ),
    ]


def test_keys_stable_across_runs() -> None:
    first = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)
    second = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)

    assert [finding.key for finding in first.findings] == [
        finding.key for finding in second.findings
    ]
    assert first.findings == second.findings


def test_key_hashes_type_fnsku_row_key() -> None:
    table = ledger_table([ledger_row(quantity=-1)])
    row_key = table.column("row_key")[0].as_py()
    result = run_detection(DetectionInput(ledger_detail=table, as_of=RIPE))

    expected = hashlib.sha256(f"lost_inventory|{FNSKU}|{row_key}".encode()).hexdigest()
    assert result.findings[0].key == expected[:32]


def test_key_independent_of_as_of() -> None:
    first = detect([ledger_row(quantity=-1)], as_of=RIPE)
    later = detect([ledger_row(quantity=-1)], as_of=RIPE + days(10))

    assert first.findings[0].key == later.findings[0].key


def test_findings_sorted_by_time_then_key() -> None:
    result = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)

    order = [(finding.occurred_at, finding.key) for finding in result.findings]
    assert order == sorted(order)
    assert len(order) == 3


def test_input_order_irrelevant() -> None:
    forward = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)
    backward = detect(
        list(reversed(_mixed_ledger())),
        list(reversed(_mixed_reimbursements())),
        as_of=RIPE,
    )

    assert [f.open_units for f in forward.findings] == [
        f.open_units for f in backward.findings
    ]


def test_resolved_losses_listed() -> None:
    result = detect(
        [
            ledger_row(quantity=-1, reference_id="PAID"),
            ledger_row(at=T0 + days(1), quantity=-1, reference_id="OPEN"),
        ],
        [reimbursement_row(at=T0 + days(2), quantity=1)],
        as_of=RIPE,
    )

    assert len(result.resolved) == 1
    resolution = result.resolved[0]
    assert resolution.cause == "reimbursed"
    assert resolution.type == "lost_inventory"
    assert resolution.fnsku == FNSKU
    assert resolution.occurred_at == T0
    assert "reimbursed" in resolution.reason


def test_resolution_key_matches_finding_key() -> None:
    open_result = detect([ledger_row(quantity=-1)], as_of=RIPE)
    paid_result = detect(
        [ledger_row(quantity=-1)],
        [reimbursement_row(at=T0 + days(25), quantity=1)],
        as_of=T0 + days(26),
    )

    assert paid_result.resolved[0].key == open_result.findings[0].key


def test_parquet_input_matches_table(tmp_path: Path) -> None:
    ledger = ledger_table(_mixed_ledger())
    reimbursements = reimbursement_table(_mixed_reimbursements())
    ledger_path = tmp_path / "ledger_detail.parquet"
    reimbursements_path = tmp_path / "reimbursements.parquet"
    pq.write_table(ledger, ledger_path)
    pq.write_table(reimbursements, reimbursements_path)

    from_tables = run_detection(
        DetectionInput(ledger_detail=ledger, reimbursements=reimbursements, as_of=RIPE)
    )
    from_files = run_detection(
        DetectionInput(
            ledger_detail=ledger_path,
            reimbursements=str(reimbursements_path),
            as_of=RIPE,
        )
    )

    assert from_files.findings == from_tables.findings
    assert from_files.resolved == from_tables.resolved
    assert from_files.rows_scanned == from_tables.rows_scanned


def _empty_zero_rows() -> tuple[pa.Table, pa.Table]:
    return LEDGER_SCHEMA.empty_table(), REIMBURSEMENT_SCHEMA.empty_table()


@pytest.mark.parametrize(
    "tables",
    [
        (None, None),
        _empty_zero_rows(),
        (pa.table({}), pa.table({})),
    ],
    ids=["none", "zero_rows", "zero_columns"],
)
def test_empty_inputs_no_findings(tables: tuple[pa.Table | None, ...]) -> None:
    ledger, reimbursements = tables
    result = run_detection(
        DetectionInput(ledger_detail=ledger, reimbursements=reimbursements, as_of=RIPE)
    )

    assert result.findings == []
    assert result.resolved == []
    assert set(result.rows_scanned.values()) == {0}
    assert set(result.rows_scanned) == set(REQUIRED_COLUMNS)


def test_empty_parquet_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "ledger_detail.parquet"
    pq.write_table(LEDGER_SCHEMA.empty_table(), path)

    result = run_detection(DetectionInput(ledger_detail=path, as_of=RIPE))

    assert result.findings == []


def test_missing_reimbursements_still_flags() -> None:
    result = run_detection(
        DetectionInput(
            ledger_detail=ledger_table([ledger_row(quantity=-1)]),
            reimbursements=None,
            as_of=RIPE,
        )
    )

    assert len(result.findings) == 1


@pytest.mark.parametrize(
    ("table_name", "column"),
    [("ledger_detail", "reason"), ("reimbursements", "quantity_reimbursed_total")],
    ids=["ledger", "reimbursements"],
)
def test_missing_column_raises(table_name: str, column: str) -> None:
    tables = {
        "ledger_detail": ledger_table([ledger_row(quantity=-1)]),
        "reimbursements": reimbursement_table([reimbursement_row()]),
    }
    tables[table_name] = tables[table_name].drop_columns([column])

    with pytest.raises(ValueError, match=f"'{table_name}'.*'{column}'"):
        run_detection(DetectionInput(**tables, as_of=RIPE))


def test_missing_parquet_file_raises(tmp_path: Path) -> None:
    data = DetectionInput(ledger_detail=tmp_path / "absent.parquet", as_of=RIPE)

    with pytest.raises(FileNotFoundError, match="ledger_detail"):
        run_detection(data)


def test_naive_as_of_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DetectionInput(as_of=datetime(2026, 3, 4))


def test_negative_unit_cost_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        DetectionInput(as_of=RIPE, unit_costs={SKU: Decimal("-1")})


def test_rows_scanned_counts_tables() -> None:
    result = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)

    scanned = dict(result.rows_scanned)
    assert scanned.pop("ledger_detail") == 6
    assert scanned.pop("reimbursements") == 2
    assert set(scanned.values()) == {0}


def test_duplicate_row_read_once() -> None:
    row = ledger_row(quantity=-1, line=2)
    result = detect([row, row], as_of=RIPE)

    assert len(result.findings) == 1


def test_duplicate_reimbursement_credited_once() -> None:
    payout = reimbursement_row(at=T0 + days(1), quantity=1)
    result = detect(
        [ledger_row(quantity=-2, unreconciled=2)], [payout, payout], as_of=RIPE
    )

    assert [finding.open_units for finding in result.findings] == [1]


def test_totals_sum_findings() -> None:
    result = detect(_mixed_ledger(), _mixed_reimbursements(), as_of=RIPE)

    totals = result.totals
    assert totals.amount == {"USD": Decimal("14.82")}
    assert totals.by_type["lost_inventory"].count == 2
    assert totals.by_type["lost_inventory"].amount == {"USD": Decimal("7.41")}
    assert totals.by_type["damaged_inventory"].count == 1
    assert totals.by_confidence == {"high": 0, "medium": 2, "low": 1}


def test_totals_list_every_type() -> None:
    result = detect(as_of=RIPE)

    assert result.totals.by_type["lost_inventory"].count == 0
    assert result.totals.by_type["damaged_inventory"].count == 0
    assert result.totals.amount == {}


def test_evidence_lists_loss_then_credits() -> None:
    result = detect(
        [
            ledger_row(quantity=-3),
            ledger_row(at=T0 + days(1), quantity=1, reason="F"),
        ],
        [reimbursement_row(at=T0 + days(2), quantity=1, case_id="C-7")],
        as_of=RIPE,
    )

    evidence = result.findings[0].evidence
    assert [row.report_type for row in evidence] == [
        "GET_LEDGER_DETAIL_VIEW_DATA",
        "GET_LEDGER_DETAIL_VIEW_DATA",
        "GET_FBA_REIMBURSEMENTS_DATA",
    ]
    assert [row.quantity for row in evidence] == [-3, 1, 1]
    assert "case C-7" in evidence[2].description


def test_reason_names_credits_and_deadline() -> None:
    result = detect(
        [
            ledger_row(quantity=-3),
            ledger_row(at=T0 + days(1), quantity=1, reason="F"),
        ],
        [reimbursement_row(at=T0 + days(2), quantity=1)],
        as_of=RIPE,
    )

    reason = result.findings[0].reason
    assert "3 units" in reason
    assert "1 unit was found again and 1 unit was reimbursed" in reason
    assert "until 2026-05-03" in reason


def test_reason_mentions_unreconciled_cap() -> None:
    result = detect([ledger_row(quantity=-4, unreconciled=1)], as_of=RIPE)

    assert "unreconciled" in result.findings[0].reason
