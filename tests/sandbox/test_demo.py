"""The generated demo seller: formats, determinism and planted cases."""

import csv
import functools
import hashlib
import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.amazon.demo import (
    DEMO_SELLER_ID,
    DemoSeller,
    demo_report_files,
    generate_demo,
    planted_manifest,
)
from sandbox.amazon.report_files import LEDGER_HEADER, REIMBURSEMENTS_HEADER

from . import rules_reference
from .conftest import ANCHOR

LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"

ANCHORS = [
    date(2026, 7, 6),
    date(2024, 11, 4),
    date(2025, 3, 10),
    date(2025, 11, 3),
    date(2024, 2, 29),
    date(2027, 1, 1),
    date(2026, 7, 11),
    date(2026, 7, 13),
]
ANCHOR_IDS = [anchor.isoformat() for anchor in ANCHORS]
AS_OF_OFFSETS = [timedelta(0), timedelta(hours=23, minutes=59), timedelta(days=3)]
AS_OF_IDS = ["day-start", "day-end", "three-days-later"]


@functools.cache
def texts(anchor: date) -> dict[str, str]:
    files = demo_report_files(anchor)
    return {kind: body.decode("utf-8") for kind, body in files.items()}


@functools.cache
def manifest(anchor: date) -> list[dict[str, Any]]:
    return planted_manifest(anchor)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


DIGEST_SCRIPT = """
import hashlib, sys
from datetime import date
from sandbox.amazon.demo import demo_report_files
files = demo_report_files(date.fromisoformat(sys.argv[1]), marketplace_id=sys.argv[2])
for kind in sorted(files):
    print(kind, hashlib.sha256(files[kind]).hexdigest())
"""


def digests(files: dict[str, bytes]) -> str:
    return "".join(
        f"{kind} {hashlib.sha256(files[kind]).hexdigest()}\n" for kind in sorted(files)
    )


@pytest.mark.parametrize("marketplace_id", ["ATVPDKIKX0DER", "A1PA6795UKMFR9"])
@pytest.mark.parametrize(
    "hash_seed", ["1", "987"], ids=["hash-seed-1", "hash-seed-987"]
)
def test_same_seed_and_anchor_give_identical_bytes(
    hash_seed: str, marketplace_id: str
) -> None:
    fresh = subprocess.run(  # noqa: S603 - runs this interpreter on a fixed script
        [sys.executable, "-c", DIGEST_SCRIPT, ANCHOR.isoformat(), marketplace_id],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        cwd=Path(__file__).resolve().parents[2],
    )
    expected = digests(demo_report_files(ANCHOR, marketplace_id=marketplace_id))
    assert fresh.stdout == expected
    assert len(fresh.stdout.splitlines()) == 9


def test_served_ledger_gzip_is_deterministic() -> None:
    first = DemoSeller(generate_demo(ANCHOR)).build_report(LEDGER, None, None)
    second = DemoSeller(generate_demo(ANCHOR)).build_report(LEDGER, None, None)
    assert first is not None
    assert second is not None
    assert first.body == second.body


def test_other_seed_gives_other_data() -> None:
    assert demo_report_files(ANCHOR, seed=1) != demo_report_files(ANCHOR)


def test_about_fifty_skus() -> None:
    fnskus = {row["FNSKU"] for row in rows(texts(ANCHOR)[LEDGER])}
    assert 45 <= len(fnskus) <= 52
    assert all(fnsku.startswith("X00") and len(fnsku) == 10 for fnsku in fnskus)


def test_ledger_covers_150_days_before_anchor() -> None:
    dates = {
        datetime.strptime(row["Date"], "%m/%d/%Y").date()
        for row in rows(texts(ANCHOR)[LEDGER])
    }
    assert min(dates) == ANCHOR - timedelta(days=150)
    assert max(dates) == ANCHOR - timedelta(days=1)


def test_ledger_quotes_every_field() -> None:
    lines = texts(ANCHOR)[LEDGER].splitlines()
    header = "\t".join(f'"{name}"' for name in LEDGER_HEADER)
    assert lines[0] == header
    assert all(
        field.startswith('"') and field.endswith('"')
        for line in lines[1:50]
        for field in line.split("\t")
    )


def test_ledger_time_has_offset_without_colon() -> None:
    row = rows(texts(ANCHOR)[LEDGER])[-1]
    assert row["Date and Time"].endswith("-0700")
    assert datetime.strptime(row["Date"], "%m/%d/%Y").date() == (
        rules_reference.parse_ledger_time(row["Date and Time"]).date()
    )


def test_ledger_has_background_event_types() -> None:
    types = {row["Event Type"] for row in rows(texts(ANCHOR)[LEDGER])}
    assert types == {
        "Receipts",
        "Shipments",
        "CustomerReturns",
        "WhseTransfers",
        "Adjustments",
        "VendorReturns",
    }


def test_ledger_adjustment_reasons_are_planted_ones() -> None:
    reasons = {
        row["Reason"]
        for row in rows(texts(ANCHOR)[LEDGER])
        if row["Event Type"] == "Adjustments"
    }
    assert reasons == {
        *("M", "5", "E", "6", "K", "F", "N", "O", "P", "Q", "3", "4", "D", "G"),
    }


def test_reimbursements_format() -> None:
    text = texts(ANCHOR)[REIMBURSEMENTS]
    first = rows(text)[0]
    assert text.splitlines()[0] == "\t".join(REIMBURSEMENTS_HEADER)
    assert '"' not in text
    assert datetime.fromisoformat(first["approval-date"]).utcoffset() == timedelta(0)
    assert first["approval-date"].endswith("+00:00")


def test_reversal_points_at_original() -> None:
    payouts = rows(texts(ANCHOR)[REIMBURSEMENTS])
    reversal = next(r for r in payouts if r["reason"] == "Reimbursement_Reversal")
    original = next(
        r
        for r in payouts
        if r["reimbursement-id"] == reversal["original-reimbursement-id"]
    )
    assert int(reversal["quantity-reimbursed-total"]) < 0
    assert Decimal(reversal["amount-total"]) < 0
    assert reversal["original-reimbursement-type"] == original["reason"]


def test_returns_one_row_per_unit_with_plate() -> None:
    returned = rows(texts(ANCHOR)[RETURNS])
    plates = [row["license-plate-number"] for row in returned]
    assert returned
    assert {row["quantity"] for row in returned} == {"1"}
    assert len(set(plates)) == len(plates)
    assert returned[0]["return-date"].endswith("+00:00")


def test_returns_match_ledger_customer_returns() -> None:
    ledger_returns = [
        row
        for row in rows(texts(ANCHOR)[LEDGER])
        if row["Event Type"] == "CustomerReturns"
    ]
    assert len(ledger_returns) == len(rows(texts(ANCHOR)[RETURNS]))


WAREHOUSE_TYPES = {"lost_inventory", "damaged_inventory"}


def warehouse_cases(anchor: date) -> list[dict[str, Any]]:
    return [case for case in manifest(anchor) if case["type"] in WAREHOUSE_TYPES]


def test_manifest_has_every_case_kind() -> None:
    names = {case["case"] for case in warehouse_cases(ANCHOR)}
    assert names == {
        "lost_plain",
        "lost_partly_found",
        "lost_partly_reimbursed",
        "lost_reimbursement_reversed",
        "lost_old_loss_paid",
        "lost_after_old_payout",
        "lost_capped_by_unreconciled",
        "lost_unknown_value",
        "lost_first_of_two_paid",
        "lost_second_of_two",
        "damaged_unreimbursed",
        "damaged_paired_with_p",
        "lost_fully_reimbursed",
        "lost_found_again",
        "lost_offset_by_correction",
        "lost_too_recent",
        "lost_window_closed",
        "damaged_fully_reimbursed",
        "damaged_too_recent",
        "disposition_change_pq",
        "sku_transfer_34",
        "disposal_d",
    }


def test_manifest_rows_exist_with_stated_units() -> None:
    by_reference = {
        (row["FNSKU"], row["Reference ID"], row["Quantity"]): row
        for row in rows(texts(ANCHOR)[LEDGER])
        if row["Event Type"] == "Adjustments" and int(row["Quantity"]) < 0
    }
    for case in warehouse_cases(ANCHOR):
        key = (case["fnsku"], case["reference_id"], str(-case["units_lost"]))
        row = by_reference.get(key)
        assert row is not None, case["case"]
        assert row["MSKU"] == case["msku"]
        loss_time = rules_reference.parse_ledger_time(row["Date and Time"])
        assert loss_time == datetime.fromisoformat(case["loss_date"])


def test_manifest_amount_is_units_times_value() -> None:
    for case in manifest(ANCHOR):
        value = Decimal(case["unit_value"] or "0")
        assert Decimal(case["amount"]) == value * case["claimable_units"], case["case"]
        assert case["claimable"] is (case["claimable_units"] > 0)


def test_manifest_lists_every_loss_row() -> None:
    listed = {
        (case["fnsku"], reference_id)
        for case in manifest(ANCHOR)
        for reference_id in case["ledger_reference_ids"]
    }
    losses = rules_reference.ledger_losses(texts(ANCHOR)[LEDGER])
    assert {(loss.fnsku, loss.reference_id) for loss in losses} <= listed


def test_unknown_value_case_has_no_payouts() -> None:
    case = next(c for c in manifest(ANCHOR) if c["case"] == "lost_unknown_value")
    payouts = rows(texts(ANCHOR)[REIMBURSEMENTS])
    assert case["unit_value"] is None
    assert all(row["fnsku"] != case["fnsku"] for row in payouts)


@pytest.mark.parametrize("offset", AS_OF_OFFSETS, ids=AS_OF_IDS)
@pytest.mark.parametrize("anchor", ANCHORS, ids=ANCHOR_IDS)
def test_rules_find_exactly_claimable_cases(anchor: date, offset: timedelta) -> None:
    as_of = datetime.combine(anchor, time(), tzinfo=UTC) + offset
    found = rules_reference.findings(
        texts(anchor)[LEDGER], texts(anchor)[REIMBURSEMENTS], as_of
    )
    expected = {
        (c["type"], c["fnsku"], c["reference_id"], c["claimable_units"], c["amount"])
        for c in warehouse_cases(anchor)
        if c["claimable"]
    }
    actual = {
        (f.kind, f.fnsku, f.reference_id, f.open_units, f"{f.amount:.2f}")
        for f in found
    }
    assert actual == expected


@pytest.mark.parametrize("anchor", ANCHORS[:3], ids=ANCHOR_IDS[:3])
def test_manifest_unit_values_follow_rules(anchor: date) -> None:
    values = rules_reference.unit_values(rows(texts(anchor)[REIMBURSEMENTS]))
    for case in warehouse_cases(anchor):
        value = values.get(case["fnsku"])
        assert case["unit_value"] == (None if value is None else f"{value:.2f}")


async def test_planted_endpoint_serves_manifest(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/_sandbox/sellers/{DEMO_SELLER_ID}/planted")
    body = response.json()
    assert response.status_code == 200
    assert body["anchor_date"] == ANCHOR.isoformat()
    assert body["selling_partner_id"] == DEMO_SELLER_ID
    assert body["cases"] == manifest(ANCHOR)


async def test_added_reimbursement_appears_in_report(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: Any
) -> None:
    case = manifest(ANCHOR)[0]
    added = await client.post(
        f"/_sandbox/sellers/{DEMO_SELLER_ID}/reimbursements",
        json={"fnsku": case["fnsku"], "quantity_cash": 3, "case_id": "1234567890"},
    )
    created = await client.post(
        "/reports/2021-06-30/reports",
        json={"reportType": REIMBURSEMENTS, "marketplaceIds": ["ATVPDKIKX0DER"]},
        headers=spapi_headers,
    )
    clock.advance(10)
    report = await client.get(
        f"/reports/2021-06-30/reports/{created.json()['reportId']}",
        headers=spapi_headers,
    )
    meta = await client.get(
        f"/reports/2021-06-30/documents/{report.json()['reportDocumentId']}",
        headers=spapi_headers,
    )
    text = (await client.get(meta.json()["url"])).text
    row = next(
        r
        for r in rows(text)
        if r["reimbursement-id"] == added.json()["reimbursement_id"]
    )
    assert added.status_code == 201
    assert row["case-id"] == "1234567890"
    assert row["quantity-reimbursed-total"] == "3"
    assert row["amount-per-unit"] == case["unit_value"]


async def test_added_reimbursement_needs_known_fnsku(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"/_sandbox/sellers/{DEMO_SELLER_ID}/reimbursements",
        json={"fnsku": "X00NOTHERE", "quantity_cash": 1},
    )
    assert response.status_code == 422
