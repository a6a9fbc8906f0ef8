"""fee_overcharge: settlement fulfillment fees against the fee preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from detection import DetectionSettings, Finding
from tests.detection.fee_builders import (
    ORDER,
    SKU,
    T0,
    detect_fees,
    of_type,
    preview_row,
    resolved_of_type,
    sale_rows,
    settlement_row,
)

FEE = "fee_overcharge"
RIPE = T0 + timedelta(days=10)
NO_MINIMUM = DetectionSettings(min_claim_value=Decimal(0))


def _fees(
    settlements: list[dict[str, object]],
    preview: list[dict[str, object]] | None = None,
    *,
    as_of: datetime = RIPE,
    settings: DetectionSettings | None = None,
) -> list[Finding]:
    result = detect_fees(
        settlements,
        [preview_row()] if preview is None else preview,
        as_of=as_of,
        settings=settings,
    )
    return of_type(result, FEE)


def test_overcharged_fee_is_found() -> None:
    result = detect_fees(
        sale_rows(quantity=2, fee="-10.80"), [preview_row()], as_of=RIPE
    )

    [finding] = of_type(result, FEE)
    assert finding.sku == SKU
    assert finding.order_id == ORDER
    assert finding.open_units == 2
    assert finding.unit_value == Decimal("1.40")
    assert finding.amount == Decimal("2.80")
    assert finding.currency == "USD"
    assert finding.unit_value_source == "fee_schedule"
    assert finding.confidence == "high"
    assert finding.amazon_expected_to_pay is False


def test_claim_window_is_ninety_days_from_the_charge() -> None:
    [finding] = _fees(sale_rows(fee="-6.40"))

    assert finding.occurred_at == T0
    assert finding.claim_window_opens == T0
    assert finding.claim_window_closes == T0 + timedelta(days=90)


def test_evidence_lists_fee_principal_and_preview_rows() -> None:
    [finding] = _fees(sale_rows(fee="-6.40"))

    reports = [row.report_type for row in finding.evidence]
    assert reports == [
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
        "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    ]
    assert finding.evidence[0].amount == Decimal("-6.40")
    assert "6.40 USD per unit" in finding.reason
    assert "4.00 USD" in finding.reason


def test_fee_at_expected_plus_tolerance_is_not_flagged() -> None:
    assert _fees(sale_rows(fee="-4.05"), settings=NO_MINIMUM) == []


def test_fee_just_above_tolerance_is_flagged() -> None:
    [finding] = _fees(sale_rows(fee="-4.06"), settings=NO_MINIMUM)

    assert finding.amount == Decimal("0.06")


def test_fee_below_expected_is_not_flagged() -> None:
    result = detect_fees(sale_rows(fee="-3.10"), [preview_row()], as_of=RIPE)

    assert of_type(result, FEE) == []
    assert resolved_of_type(result, FEE) == []


def test_small_overcharge_becomes_below_minimum_resolution() -> None:
    result = detect_fees(sale_rows(fee="-4.50"), [preview_row()], as_of=RIPE)

    assert of_type(result, FEE) == []
    [resolution] = resolved_of_type(result, FEE)
    assert resolution.cause == "below_minimum"


def test_fee_row_quantity_wins() -> None:
    rows = [
        settlement_row(amount_type="ItemPrice", description="Principal", quantity=5),
        settlement_row(amount="-16.20", quantity=3),
    ]

    [finding] = _fees(rows)

    assert finding.open_units == 3
    assert finding.amount == Decimal("4.20")


def test_missing_quantity_assumes_one_unit() -> None:
    [finding] = _fees([settlement_row(amount="-6.40", quantity=None)])

    assert finding.open_units == 1
    assert finding.amount == Decimal("2.40")
    assert finding.confidence == "medium"
    assert "one unit was assumed" in finding.reason


def test_sku_from_the_principal_row() -> None:
    rows = [
        settlement_row(amount_type="ItemPrice", description="Principal", quantity=1),
        settlement_row(amount="-6.40", sku=None, quantity=None),
    ]

    [finding] = _fees(rows)

    assert finding.sku == SKU


def test_fee_refund_resolves_the_charge() -> None:
    rows = [
        *sale_rows(fee="-6.40"),
        settlement_row(
            transaction_type="Adjustment",
            amount="2.40",
            at=T0 + timedelta(days=5),
            quantity=None,
        ),
    ]
    result = detect_fees(rows, [preview_row()], as_of=RIPE)

    assert of_type(result, FEE) == []
    [resolution] = resolved_of_type(result, FEE)
    assert resolution.cause == "reimbursed"


def test_partial_fee_refund_lowers_the_amount() -> None:
    rows = [
        *sale_rows(fee="-7.40"),
        settlement_row(transaction_type="Adjustment", amount="1.00", quantity=None),
    ]

    [finding] = _fees(rows)

    assert finding.amount == Decimal("2.40")
    assert "refunded 1.00 USD" in finding.reason


@pytest.mark.parametrize(
    ("as_of", "found"),
    [
        (T0, True),
        (T0 + timedelta(days=90), True),
        (T0 + timedelta(days=89), True),
    ],
    ids=["charge_instant", "last_instant", "day_before_close"],
)
def test_inside_the_window(as_of: datetime, found: bool) -> None:
    assert bool(_fees(sale_rows(fee="-6.40"), as_of=as_of)) is found


def test_charge_after_window_is_closed() -> None:
    result = detect_fees(
        sale_rows(fee="-6.40"),
        [preview_row()],
        as_of=T0 + timedelta(days=90, microseconds=1),
    )

    assert of_type(result, FEE) == []
    [resolution] = resolved_of_type(result, FEE)
    assert resolution.cause == "window_closed"


def test_charge_after_as_of_is_not_read() -> None:
    result = detect_fees(
        sale_rows(fee="-6.40"), [preview_row()], as_of=T0 - timedelta(days=1)
    )

    assert of_type(result, FEE) == []
    assert resolved_of_type(result, FEE) == []


def test_posted_date_replaces_blank_time() -> None:
    midnight = datetime(2026, 3, 4, 8, tzinfo=UTC)
    [finding] = _fees([settlement_row(amount="-6.40", at=None, posted_date=midnight)])

    assert finding.occurred_at == midnight


def test_charge_before_october_2024_window() -> None:
    old = datetime(2024, 9, 1, 12, tzinfo=UTC)
    [finding] = _fees(sale_rows(fee="-6.40", at=old), as_of=old + timedelta(days=30))

    assert finding.claim_window_closes == old + timedelta(days=90)


def test_eu_seller_is_compared_in_its_marketplace() -> None:
    settings = DetectionSettings(
        region="EU",
        marketplace_id="A1PA6795UKMFR9",
        marketplace_currency="EUR",
    )
    rows = sale_rows(fee="-5.90", currency="EUR", marketplace="Amazon.de")
    preview = preview_row(
        expected="3.50",
        currency="EUR",
        tier="Standard parcel",
        sides=("30", "20", "10"),
        dimension_unit="centimeters",
        weight="800",
        weight_unit="grams",
    )

    [finding] = _fees(rows, [preview], settings=settings)

    assert finding.amount == Decimal("2.40")
    assert finding.currency == "EUR"
    assert finding.claim_window_closes == T0 + timedelta(days=90)
    assert finding.marketplace_id == "A1PA6795UKMFR9"


def test_orders_of_another_marketplace_are_not_compared() -> None:
    rows = sale_rows(fee="-6.40", marketplace="Amazon.ca")

    assert _fees(rows) == []


def test_blank_marketplace_name_is_compared() -> None:
    assert len(_fees(sale_rows(fee="-6.40", marketplace=None))) == 1


def test_currency_other_than_the_preview_is_not_compared() -> None:
    assert _fees(sale_rows(fee="-6.40", currency="CAD")) == []


def test_sku_missing_from_the_preview_gives_nothing() -> None:
    assert _fees(sale_rows(fee="-6.40"), [preview_row(sku="OTHER")]) == []


@pytest.mark.parametrize("expected", [None, "", "n/a"])
def test_blank_expected_fee_gives_nothing(expected: str | None) -> None:
    assert _fees(sale_rows(fee="-6.40"), [preview_row(expected=expected)]) == []


def test_preview_highest_expected_fee_wins() -> None:
    preview = [preview_row(expected="4.00"), preview_row(expected="5.00", fnsku="X2")]

    [finding] = _fees(sale_rows(fee="-6.40"), preview)

    assert finding.amount == Decimal("1.40")


def test_spelling_of_types_and_descriptions_is_normalized() -> None:
    rows = [
        settlement_row(
            transaction_type="ORDER",
            amount_type="Item_Fees",
            description="FBA Per Unit Fulfillment Fee",
            amount=" -6.40 ",
        )
    ]

    assert len(_fees(rows)) == 1


def test_other_fee_descriptions_are_ignored() -> None:
    rows = [settlement_row(description="Commission", amount="-9.00")]

    assert _fees(rows) == []


def test_duplicate_row_is_counted_once() -> None:
    row = settlement_row(amount="-6.40")

    [finding] = _fees([row, dict(row)])

    assert finding.amount == Decimal("2.40")


def test_blank_and_unparsable_amounts_do_not_fail() -> None:
    rows = [
        settlement_row(amount=None),
        settlement_row(amount="abc", item="2"),
        settlement_row(amount="-6.40", order_id=None, item="3"),
    ]

    assert _fees(rows) == []


def test_one_finding_per_order_item() -> None:
    rows = [*sale_rows(fee="-6.40"), *sale_rows(fee="-6.40", item="99")]

    findings = _fees(rows)

    assert len(findings) == 2
    assert len({finding.key for finding in findings}) == 2


def test_key_is_stable_across_runs() -> None:
    [first] = _fees(sale_rows(fee="-6.40"), as_of=RIPE)
    [later] = _fees(sale_rows(fee="-6.40"), as_of=RIPE + timedelta(days=20))

    assert first.key == later.key


def test_listed_tier_larger_than_measured_lowers_confidence() -> None:
    preview = preview_row(
        tier="Large bulky", sides=("10.0", "8.0", "2.0"), weight="0.90"
    )

    [finding] = _fees(sale_rows(fee="-6.40"), [preview])

    assert finding.confidence == "medium"
    assert "Large bulky" in finding.reason
    assert "Large standard-size" in finding.reason
    assert finding.amount == Decimal("2.40")


def test_listed_tier_matching_the_measurements_keeps_high_confidence() -> None:
    [finding] = _fees(sale_rows(fee="-6.40"))

    assert finding.confidence == "high"
    assert "size tier" not in finding.reason


def test_tier_mismatch_alone_gives_no_finding() -> None:
    preview = preview_row(tier="Large bulky")

    assert _fees(sale_rows(fee="-4.00"), [preview]) == []


def test_tier_check_skipped_without_data() -> None:
    preview = [
        preview_row(tier="Mystery tier"),
        preview_row(sku="B", tier="Large bulky", sides=("", "8", "2")),
    ]
    rows = [*sale_rows(fee="-6.40"), *sale_rows(fee="-6.40", sku="B", item="9")]

    findings = _fees(rows, preview)

    assert [finding.confidence for finding in findings] == ["high", "high"]


def test_unsynced_fee_preview_leaves_the_category_unchecked() -> None:
    result = detect_fees(sale_rows(fee="-6.40"), as_of=RIPE, unsynced=("fee_preview",))

    coverage = {entry.type: entry for entry in result.coverage}
    assert coverage[FEE].checked is False
    assert coverage["refund_admin_fee"].checked is True
    assert of_type(result, FEE) == []


def test_empty_tables_do_not_fail() -> None:
    result = detect_fees([], [], as_of=RIPE)

    assert result.findings == []
