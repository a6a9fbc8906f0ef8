"""Planted cases of every detection category, checked against the served files."""

import csv
import functools
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox.amazon.demo import DEMO_SELLER_ID, generate_demo
from sandbox.amazon.report_formats import settlement_text

from .conftest import ANCHOR

CATEGORIES = {
    "lost_inventory",
    "damaged_inventory",
    "disposed_without_order",
    "refund_not_returned",
    "return_damaged_by_amazon",
    "inbound_shortage",
    "removal_lost",
    "fee_overcharge",
    "refund_admin_fee",
    "underpaid_reimbursement",
    "reversal_without_return",
}
NEW_CATEGORIES = CATEGORIES - {"lost_inventory", "damaged_inventory"}
MARKETS = ["ATVPDKIKX0DER", "A1PA6795UKMFR9"]


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


@functools.cache
def data(marketplace_id: str) -> tuple[dict[str, list[dict[str, str]]], Any]:
    """The served report tables and the dataset of the demo seller."""
    dataset = generate_demo(ANCHOR, marketplace_id=marketplace_id)
    texts = dataset.report_texts()
    tables = {kind: table(text) for kind, text in texts.items() if kind[-3:] != "_V2"}
    tables["settlement"] = [
        row
        for settlement in dataset.settlements
        for row in table(settlement_text(settlement, dataset.marketplace))
    ]
    return tables, dataset


def cases(marketplace_id: str, case_type: str) -> list[dict[str, Any]]:
    _, dataset = data(marketplace_id)
    return [case for case in dataset.manifest() if case["type"] == case_type]


def money(raw: str) -> Decimal:
    return Decimal(raw.replace(",", "."))


def settled(marketplace_id: str, order_id: str) -> list[dict[str, str]]:
    tables, _ = data(marketplace_id)
    return [row for row in tables["settlement"] if row["order-id"] == order_id]


def at(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


@pytest.mark.parametrize("case_type", sorted(CATEGORIES))
def test_category_has_both_kinds(case_type: str) -> None:
    planted = cases(MARKETS[0], case_type)
    assert any(case["claimable"] for case in planted), case_type
    assert any(not case["claimable"] for case in planted), case_type


def test_new_cases_one_per_fnsku() -> None:
    _, dataset = data(MARKETS[0])
    new = [c for c in dataset.manifest() if c["type"] in NEW_CATEGORIES]
    counts = Counter(case["fnsku"] for case in dataset.manifest())
    assert all(counts[case["fnsku"]] == 1 for case in new)
    assert len({case["case"] for case in dataset.manifest()}) == len(counts) + 2


def test_manifest_fields_consistent() -> None:
    _, dataset = data(MARKETS[0])
    now = datetime.combine(ANCHOR, datetime.min.time(), tzinfo=UTC)
    for case in dataset.manifest():
        value = Decimal(case["unit_value"] or "0")
        assert Decimal(case["amount"]) == value * case["claimable_units"], case
        assert case["claimable"] is (case["claimable_units"] > 0)
        assert at(case["window_opens"]) <= at(case["window_closes"])
        assert case["description"] == case["why"]
        if case["claimable"] and case["type"] in NEW_CATEGORIES:
            assert at(case["window_opens"]) <= now - timedelta(days=0), case
            assert at(case["window_closes"]) >= now + timedelta(days=5), case


def test_unit_costs_cover_new_cases() -> None:
    _, dataset = data(MARKETS[0])
    costs = {row["fnsku"]: row["unit_cost"] for row in dataset.unit_costs()}
    for case in dataset.manifest():
        listed = case["fnsku"] in costs
        assert listed is (case["type"] in NEW_CATEGORIES), case["case"]
        if case["value_basis"] == "seller_unit_cost":
            assert case["unit_value"] == costs[case["fnsku"]], case["case"]


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_disposals_match_orders(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    ledger = tables["GET_LEDGER_DETAIL_VIEW_DATA"]
    disposals = tables["GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"]
    for case in cases(marketplace_id, "disposed_without_order"):
        row = next(r for r in ledger if r["Reference ID"] == case["reference_id"])
        ordered = [
            order
            for order in disposals
            if order["fnsku"] == case["fnsku"] and order["order-type"] == "Disposal"
        ]
        assert row["Reason"] in {"D", "G"}
        assert -int(row["Quantity"]) == case["units_lost"]
        assert (not ordered) is case["claimable"], case["case"]


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_every_disposal_row_is_a_case_or_ordered(marketplace_id: str) -> None:
    tables, dataset = data(marketplace_id)
    listed = {
        reference
        for case in dataset.manifest()
        for reference in case["ledger_reference_ids"]
    }
    ordered = {
        order["fnsku"]
        for order in tables["GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"]
        if order["order-type"] == "Disposal"
    }
    for row in tables["GET_LEDGER_DETAIL_VIEW_DATA"]:
        if row["Event Type"] == "Adjustments" and row["Reason"] in {"D", "G"}:
            assert row["Reference ID"] in listed or row["FNSKU"] in ordered, row


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_refunds_match_returns_and_payouts(marketplace_id: str) -> None:
    tables, dataset = data(marketplace_id)
    grace = 45 if marketplace_id == MARKETS[1] else 60
    now = datetime.combine(ANCHOR, datetime.min.time(), tzinfo=UTC)
    returned = {
        row["order-id"] for row in tables["GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"]
    }
    paid = {
        row["amazon-order-id"]
        for row in tables["GET_FBA_REIMBURSEMENTS_DATA"]
        if row["reason"] in {"CustomerReturn", "CustomerServiceIssue"}
    }
    for case in cases(marketplace_id, "refund_not_returned"):
        refunds = [
            row
            for row in settled(marketplace_id, case["order_id"])
            if row["transaction-type"] == "Refund"
        ]
        refunded_at = at(case["loss_date"])
        open_case = case["order_id"] not in returned | paid
        past_grace = refunded_at + timedelta(days=grace) < now
        assert refunds, case["case"]
        if case["claimable"]:
            assert open_case, case["case"]
            assert past_grace, case["case"]
        else:
            assert not (open_case and past_grace), case["case"]
        assert at(case["window_opens"]) == refunded_at + timedelta(days=grace)
    assert dataset.marketplace.id == marketplace_id


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_damaged_returns_match_payouts(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    returns = tables["GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"]
    paid = {row["amazon-order-id"] for row in tables["GET_FBA_REIMBURSEMENTS_DATA"]}
    amazon_fault = {"DAMAGED", "CARRIER_DAMAGED"}
    for case in cases(marketplace_id, "return_damaged_by_amazon"):
        row = next(r for r in returns if r["order-id"] == case["order_id"])
        expected = row["detailed-disposition"] in amazon_fault and (
            case["order_id"] not in paid
        )
        assert expected is case["claimable"], case["case"]


def test_background_returns_not_amazon_damaged() -> None:
    tables, dataset = data(MARKETS[0])
    planted = {c["order_id"] for c in dataset.manifest() if c["order_id"]}
    for row in tables["GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"]:
        if row["order-id"] not in planted:
            assert row["detailed-disposition"] not in {"DAMAGED", "CARRIER_DAMAGED"}


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_inbound_cases_match_shipments(marketplace_id: str) -> None:
    tables, dataset = data(marketplace_id)
    shipments = {s.shipment_id: s for s in dataset.inbound}
    lost_inbound = {
        row["fnsku"]
        for row in tables["GET_FBA_REIMBURSEMENTS_DATA"]
        if row["reason"] == "Lost_Inbound"
    }
    for case in cases(marketplace_id, "inbound_shortage"):
        shipment = shipments[case["shipment_id"]]
        item = shipment.items[0]
        short = item.quantity_shipped - item.quantity_received
        expected = short if shipment.status == "CLOSED" else 0
        if case["fnsku"] in lost_inbound:
            expected = 0
        assert case["claimable_units"] == expected, case["case"]
        assert case["units_lost"] == short


def test_background_shipments_received_in_full() -> None:
    _, dataset = data(MARKETS[0])
    planted = {c["shipment_id"] for c in dataset.manifest()}
    for shipment in dataset.inbound:
        if shipment.shipment_id not in planted:
            item = shipment.items[0]
            assert item.quantity_shipped == item.quantity_received


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_removal_cases_follow_formula(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    orders = {
        row["order-id"]: row
        for row in tables["GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"]
    }
    packages = tables["GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"]
    for case in cases(marketplace_id, "removal_lost"):
        row = orders[case["order_id"]]
        missing = (
            int(row["requested-quantity"])
            - int(row["cancelled-quantity"])
            - int(row["disposed-quantity"])
            - int(row["shipped-quantity"])
        )
        shipped = sum(
            int(p["shipped-quantity"])
            for p in packages
            if p["order-id"] == row["order-id"]
        )
        expected = missing if row["order-status"] == "Completed" else 0
        assert case["claimable_units"] == expected, case["case"]
        assert shipped == int(row["shipped-quantity"])


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_fee_cases_match_preview(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    fee_column = (
        "expected-domestic-fulfilment-fee-per-unit"
        if marketplace_id == MARKETS[1]
        else "expected-fulfillment-fee-per-unit"
    )
    preview = {
        row["fnsku"]: money(row[fee_column])
        for row in tables["GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"]
    }
    for case in cases(marketplace_id, "fee_overcharge"):
        fee = next(
            row
            for row in settled(marketplace_id, case["order_id"])
            if row["amount-description"] == "FBAPerUnitFulfillmentFee"
        )
        per_unit = -money(fee["amount"]) / int(fee["quantity-purchased"])
        over = per_unit - preview[case["fnsku"]]
        assert Decimal(case["unit_value"]) == over, case["case"]
        assert (over > 0) is case["claimable"]


def test_other_sales_pay_preview_fee() -> None:
    tables, dataset = data(MARKETS[0])
    overcharged = {
        c["order_id"] for c in dataset.manifest() if c["type"] == "fee_overcharge"
    }
    preview = {
        row["sku"]: money(row["expected-fulfillment-fee-per-unit"])
        for row in tables["GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"]
    }
    fees = [
        row
        for row in tables["settlement"]
        if row["amount-description"] == "FBAPerUnitFulfillmentFee"
    ]
    assert fees
    for row in fees:
        if row["order-id"] not in overcharged:
            per_unit = -money(row["amount"]) / int(row["quantity-purchased"])
            assert per_unit == preview[row["sku"]], row


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_admin_fee_cases_match_limit(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    limits = {}
    for row in tables["settlement"]:
        if row["amount-description"] != "RefundCommission":
            continue
        commission = next(
            money(line["amount"])
            for line in settled(marketplace_id, row["order-id"])
            if line["transaction-type"] == "Order"
            and line["amount-description"] == "Commission"
        )
        limit = min(Decimal("5.00"), (abs(commission) * Decimal("0.2")))
        limits[row["order-id"]] = -money(row["amount"]) - limit
    planted = cases(marketplace_id, "refund_admin_fee")
    for case in planted:
        excess = limits.pop(case["order_id"])
        assert (excess > Decimal("0.005")) is case["claimable"], case["case"]
        assert Decimal(case["unit_value"]) == max(excess, Decimal(0)).quantize(
            Decimal("0.01")
        )
    assert all(excess <= Decimal("0.005") for excess in limits.values())


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_underpaid_cases_match_costs(marketplace_id: str) -> None:
    tables, dataset = data(marketplace_id)
    costs = {row["fnsku"]: Decimal(row["unit_cost"]) for row in dataset.unit_costs()}
    payouts = {r["reimbursement-id"]: r for r in tables["GET_FBA_REIMBURSEMENTS_DATA"]}
    for case in cases(marketplace_id, "underpaid_reimbursement"):
        payout = payouts[case["reimbursement_id"]]
        gap = costs[case["fnsku"]] - Decimal(payout["amount-per-unit"])
        assert payout["reason"] == "Lost_Warehouse"
        assert Decimal(case["unit_value"]) == gap
        assert (gap > 0) is case["claimable"], case["case"]


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_reversal_cases_match_finds(marketplace_id: str) -> None:
    tables, _ = data(marketplace_id)
    payouts = {r["reimbursement-id"]: r for r in tables["GET_FBA_REIMBURSEMENTS_DATA"]}
    ledger = tables["GET_LEDGER_DETAIL_VIEW_DATA"]
    for case in cases(marketplace_id, "reversal_without_return"):
        reversal = payouts[case["reimbursement_id"]]
        original = payouts[reversal["original-reimbursement-id"]]
        paid_at = at(original["approval-date"])
        found = [
            row
            for row in ledger
            if row["FNSKU"] == case["fnsku"]
            and row["Reason"] in {"F", "N"}
            and at(row["Date and Time"][:-2] + ":" + row["Date and Time"][-2:])
            > paid_at
        ]
        assert reversal["reason"] == "Reimbursement_Reversal"
        assert (not found) is case["claimable"], case["case"]


async def test_planted_endpoint_lists_unit_costs(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/_sandbox/sellers/{DEMO_SELLER_ID}/planted")
    body = response.json()
    _, dataset = data(MARKETS[0])
    assert body["currency"] == "USD"
    assert body["unit_costs"] == dataset.unit_costs()
    assert {case["type"] for case in body["cases"]} == CATEGORIES


def test_eu_dataset_plants_every_category() -> None:
    _, dataset = data(MARKETS[1])
    types = {case["type"] for case in dataset.manifest() if case["claimable"]}
    assert types == CATEGORIES
    assert dataset.marketplace.currency == "EUR"


def test_other_anchor_plants_every_category() -> None:
    later = generate_demo(date(2027, 1, 1))
    types = {case["type"] for case in later.manifest() if case["claimable"]}
    assert types == CATEGORIES


AFTER_ORDER_TYPES = ("refund_not_returned", "return_damaged_by_amazon")


@pytest.mark.parametrize("marketplace_id", MARKETS)
@pytest.mark.parametrize("case_type", AFTER_ORDER_TYPES)
def test_after_order_value_is_price_minus_fees(
    marketplace_id: str, case_type: str
) -> None:
    fee_descriptions = {"Commission", "FBAPerUnitFulfillmentFee"}
    for case in cases(marketplace_id, case_type):
        sold = [
            row
            for row in settled(marketplace_id, case["order_id"])
            if row["transaction-type"] == "Order"
        ]
        principal = next(
            money(row["amount"])
            for row in sold
            if row["amount-description"] == "Principal"
        )
        fees = -sum(
            money(row["amount"])
            for row in sold
            if row["amount-description"] in fee_descriptions
        )
        units = int(sold[0]["quantity-purchased"])
        expected = ((principal - fees) / units).quantize(Decimal("0.01"))
        assert case["value_basis"] == "sale_price_minus_fees", case["case"]
        assert Decimal(case["unit_value"]) == expected, case["case"]


@pytest.mark.parametrize("marketplace_id", MARKETS)
def test_order_payouts_pay_price_minus_fees(marketplace_id: str) -> None:
    tables, dataset = data(marketplace_id)
    values = {
        case["order_id"]: case["unit_value"]
        for case in dataset.manifest()
        if case["type"] in AFTER_ORDER_TYPES
    }
    payouts = [
        row
        for row in tables["GET_FBA_REIMBURSEMENTS_DATA"]
        if row["reason"] == "CustomerReturn" and row["amazon-order-id"] in values
    ]
    assert len(payouts) == 2
    for row in payouts:
        assert row["amount-per-unit"] == values[row["amazon-order-id"]], row


def test_windows_count_whole_days_across_daylight_saving() -> None:
    # On 2026-11-20 every window of the last 60 days spans the end of US daylight
    # saving time (2026-11-01), so local and 24-hour days differ by an hour.
    dataset = generate_demo(date(2026, 11, 20), marketplace_id=MARKETS[0])
    lengths = {
        "lost_inventory": None,
        "damaged_inventory": (10, 60),
        "disposed_without_order": (0, 60),
        "fee_overcharge": (0, 90),
        "refund_admin_fee": (0, 90),
        "refund_not_returned": (60, 120),
    }
    for case in dataset.manifest():
        if case["type"] not in lengths:
            continue
        event = at(case["loss_date"])
        closes = at(case["window_closes"]) - event
        expected = lengths[case["type"]]
        if expected is None:
            assert closes == timedelta(days=60), case["case"]
            continue
        opens = at(case["window_opens"]) - event
        assert opens == timedelta(days=expected[0]), case["case"]
        assert closes == timedelta(days=expected[1]), case["case"]
