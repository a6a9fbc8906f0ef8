"""Coverage: which categories a run could check, and why not."""

from __future__ import annotations

from detection import DetectionInput, run_detection
from detection.tables import REQUIRED_COLUMNS
from tests.detection.builders import T0, days, ledger_row, ledger_table

RIPE = T0 + days(20)


def test_no_synced_report_checks_nothing_and_says_why() -> None:
    result = run_detection(
        DetectionInput(as_of=RIPE, unsynced=frozenset(REQUIRED_COLUMNS))
    )

    assert result.findings == []
    assert result.coverage
    for entry in result.coverage:
        assert entry.checked is False
        assert "has not been synced" in entry.reason


def test_missing_reimbursements_leave_losses_unchecked() -> None:
    result = run_detection(
        DetectionInput(
            ledger_detail=ledger_table([ledger_row(quantity=-2)]),
            as_of=RIPE,
            unsynced=frozenset({"reimbursements"}),
        )
    )

    lost = next(entry for entry in result.coverage if entry.type == "lost_inventory")
    assert lost.checked is False
    assert lost.missing_tables == ["reimbursements"]
    assert "GET_FBA_REIMBURSEMENTS_DATA" in lost.reason
    assert [f for f in result.findings if f.type == "lost_inventory"] == []


def test_synced_but_empty_report_is_checked_with_a_note() -> None:
    result = run_detection(DetectionInput(as_of=RIPE))

    lost = next(entry for entry in result.coverage if entry.type == "lost_inventory")
    assert lost.checked is True
    assert "had no rows" in lost.reason
