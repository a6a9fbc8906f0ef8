"""refund_admin_fee: the referral fee Amazon keeps when it refunds an order item."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from detection import DetectionSettings, Finding
from tests.detection.fee_builders import (
    ORDER,
    SKU,
    T0,
    detect_fees,
    of_type,
    refund_rows,
    resolved_of_type,
    sale_rows,
)

ADMIN = "refund_admin_fee"
REFUNDED_AT = T0 + timedelta(days=5)
RIPE = REFUNDED_AT + timedelta(days=10)
NO_MINIMUM = DetectionSettings(min_claim_value=Decimal(0))


def _sale(**values: object) -> list[dict[str, object]]:
    values.setdefault("principal", "100.00")
    values.setdefault("commission", "-15.00")
    values.setdefault("fee", None)
    return sale_rows(**values)  # type: ignore[arg-type]


def _refund(**values: object) -> list[dict[str, object]]:
    values.setdefault("principal", "-100.00")
    values.setdefault("at", REFUNDED_AT)
    return refund_rows(**values)  # type: ignore[arg-type]


def _admin(
    rows: list[dict[str, object]],
    *,
    as_of: datetime = RIPE,
    settings: DetectionSettings | None = None,
) -> list[Finding]:
    return of_type(detect_fees(rows, as_of=as_of, settings=settings), ADMIN)


def test_refund_keeping_more_than_allowed_is_found() -> None:
    # 15.00 referral fee; 12.00 refunded and 3.00 charged as the admin fee, so
    # Amazon kept 6.00 where 20% of 15.00 = 3.00 is allowed.
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    [finding] = _admin(rows)

    assert finding.sku == SKU
    assert finding.order_id == ORDER
    assert finding.amount == Decimal("3.00")
    assert finding.open_units == 1
    assert finding.confidence == "high"
    assert finding.amazon_expected_to_pay is False
    assert finding.occurred_at == REFUNDED_AT
    assert "kept 6.00 USD" in finding.reason


def test_claim_window_is_ninety_days_from_the_refund() -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    [finding] = _admin(rows)

    assert finding.claim_window_opens == REFUNDED_AT
    assert finding.claim_window_closes == REFUNDED_AT + timedelta(days=90)


def test_window_override_replaces_the_unverified_days() -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]
    settings = DetectionSettings(window_overrides={ADMIN: (0, 30)})

    [finding] = _admin(rows, settings=settings)

    assert finding.claim_window_closes == REFUNDED_AT + timedelta(days=30)


def test_usual_twenty_percent_admin_fee_is_not_flagged() -> None:
    rows = [*_sale(), *_refund(commission="15.00", admin_fee="-3.00")]

    result = detect_fees(rows, as_of=RIPE)

    assert of_type(result, ADMIN) == []
    assert resolved_of_type(result, ADMIN) == []


def test_cap_per_unit_limits_the_admin_fee() -> None:
    # 50.00 referral fee: 20% is 10.00, but the cap is 5.00 for one unit.
    rows = [
        *_sale(principal="333.00", commission="-50.00"),
        *_refund(principal="-333.00", commission="50.00", admin_fee="-10.00"),
    ]

    [finding] = _admin(rows)

    assert finding.amount == Decimal("5.00")


def test_cap_counts_every_unit() -> None:
    rows = [
        *_sale(principal="333.00", commission="-50.00", quantity=2),
        *_refund(principal="-333.00", commission="50.00", admin_fee="-10.00"),
    ]

    assert _admin(rows) == []


def test_partial_refund_uses_its_share() -> None:
    rows = [
        *_sale(principal="40.00", commission="-6.00", quantity=2),
        *_refund(principal="-20.00", commission="3.00", admin_fee="-0.60"),
    ]

    assert _admin(rows, settings=NO_MINIMUM) == []


def test_partial_refund_without_commission_back_is_found() -> None:
    rows = [
        *_sale(principal="40.00", commission="-6.00", quantity=2),
        *_refund(principal="-20.00", commission="0.00", admin_fee="-0.60"),
    ]

    [finding] = _admin(rows, settings=NO_MINIMUM)

    # Share 3.00; kept 3.00 + 0.60; allowed min(5.00 x 2, 0.60) = 0.60.
    assert finding.amount == Decimal("3.00")
    assert "part of the sale" in finding.reason


def test_refund_without_principal_is_medium() -> None:
    rows = [
        *_sale(),
        *_refund(principal=None, commission="10.00", admin_fee="-3.00"),
    ]

    [finding] = _admin(rows)

    assert finding.amount == Decimal("5.00")
    assert finding.confidence == "medium"


def test_excess_at_the_tolerance_is_not_flagged() -> None:
    rows = [*_sale(), *_refund(commission="14.95", admin_fee="-3.00")]

    assert _admin(rows, settings=NO_MINIMUM) == []


def test_excess_above_the_tolerance_is_flagged() -> None:
    rows = [*_sale(), *_refund(commission="14.94", admin_fee="-3.00")]

    [finding] = _admin(rows, settings=NO_MINIMUM)

    assert finding.amount == Decimal("0.06")


def test_small_excess_becomes_below_minimum_resolution() -> None:
    rows = [*_sale(), *_refund(commission="14.50", admin_fee="-3.00")]

    result = detect_fees(rows, as_of=RIPE)

    assert of_type(result, ADMIN) == []
    [resolution] = resolved_of_type(result, ADMIN)
    assert resolution.cause == "below_minimum"


@pytest.mark.parametrize(
    "as_of",
    [REFUNDED_AT, REFUNDED_AT + timedelta(days=89), REFUNDED_AT + timedelta(days=90)],
    ids=["refund_instant", "day_before_close", "last_instant"],
)
def test_inside_the_window(as_of: datetime) -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    assert len(_admin(rows, as_of=as_of)) == 1


def test_refund_after_window_is_closed() -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    result = detect_fees(rows, as_of=REFUNDED_AT + timedelta(days=90, microseconds=1))

    assert of_type(result, ADMIN) == []
    [resolution] = resolved_of_type(result, ADMIN)
    assert resolution.cause == "window_closed"


def test_before_the_refund_nothing_is_read() -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    assert _admin(rows, as_of=REFUNDED_AT - timedelta(days=1)) == []


def test_refund_without_the_sale_rows_gives_no_finding() -> None:
    rows = _refund(commission="0.00", admin_fee="-3.00")

    result = detect_fees(rows, as_of=RIPE)

    assert of_type(result, ADMIN) == []
    assert resolved_of_type(result, ADMIN) == []


def test_refund_without_commission_rows_gives_no_finding() -> None:
    rows = [*_sale(), *_refund(commission=None, admin_fee=None)]

    assert _admin(rows) == []


def test_two_refunds_of_one_item_are_judged_apart() -> None:
    rows = [
        *_sale(principal="40.00", commission="-6.00", quantity=2),
        *_refund(principal="-20.00", commission="0.00", admin_fee="-0.60"),
        *_refund(
            principal="-20.00",
            commission="3.00",
            admin_fee="-0.60",
            adjustment_id="amzn1.adj.2",
            at=REFUNDED_AT + timedelta(days=2),
        ),
    ]

    findings = _admin(rows, settings=NO_MINIMUM)

    assert [finding.reference_id for finding in findings] == ["amzn1.adj.1"]


def test_duplicate_rows_are_counted_once() -> None:
    rows = [*_sale(), *_refund(commission="12.00", admin_fee="-3.00")]

    [finding] = _admin([*rows, *(dict(row) for row in rows)])

    assert finding.amount == Decimal("3.00")


def test_eu_refund_has_the_same_window() -> None:
    settings = DetectionSettings(
        region="EU", marketplace_id="A1PA6795UKMFR9", marketplace_currency="EUR"
    )
    common = {"currency": "EUR", "marketplace": "Amazon.de"}
    rows = [
        *_sale(**common),
        *_refund(commission="12.00", admin_fee="-3.00", **common),
    ]

    [finding] = _admin(rows, settings=settings)

    assert finding.currency == "EUR"
    assert finding.claim_window_closes == REFUNDED_AT + timedelta(days=90)


def test_unsynced_settlements_leave_both_categories_unchecked() -> None:
    result = detect_fees(as_of=RIPE, unsynced=("settlements",))

    coverage = {entry.type: entry for entry in result.coverage}
    assert coverage[ADMIN].checked is False
    assert coverage["fee_overcharge"].checked is False
    assert "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2" in coverage[ADMIN].reason
