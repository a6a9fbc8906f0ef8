"""The demo seller's planted lost and damaged inventory cases.

Each case sits on its own FNSKU, except two pairs of cases that share one. Cases
are dated in days before the anchor day, so each keeps its intended outcome for
detection run on the anchor day (UTC) or up to three days after it. Claimable
losses are 18 to 50 days old: past 5 business days (lost) or 10 days (damaged)
and inside the 60-day window. The "too recent" ones are 1 and 3 days old, the
"window closed" ones 75 and 100 days old. Reimbursements that only give a
product its unit value are 120 to 145 days old, so they lie far outside the
3-day credit lookback of any loss.
"""

from collections.abc import Callable, Sequence

from .demo_catalog import Product
from .demo_planter import DAMAGED, LOST, CasePlanter

CASE_PRODUCTS = 17
"""Products used by the planted losses, one FNSKU per case or case pair."""

BACKGROUND_EVENT_PRODUCTS = 4
"""Products after those that carry the P/Q, 3/4 and D events."""


def _lost_plain(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(20, 10, 15), "M", 3, unreconciled=3)
    p.reimburse(product, 130, "CustomerReturn", 1, with_order=True)
    p.record(
        "lost_plain",
        LOST,
        product,
        row,
        3,
        "3 units misplaced (M), nothing found or reimbursed since.",
    )


def _lost_partly_found(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(33, 9, 40), "M", 4, unreconciled=3)
    p.adjustment(product, p.at(30, 14, 5), "F", 1)
    p.reimburse(product, 140, "Lost_Warehouse", 1)
    p.record(
        "lost_partly_found",
        LOST,
        product,
        row,
        3,
        "4 units misplaced, 1 found again (F) 3 days later.",
    )


def _lost_partly_reimbursed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(38, 11, 20), "5", 3, unreconciled=2)
    p.reimburse(product, 32, "Lost_Warehouse", 1)
    p.record(
        "lost_partly_reimbursed",
        LOST,
        product,
        row,
        2,
        "3 units lost (5), Lost_Warehouse paid 1 unit 6 days later.",
    )


def _lost_reimbursement_reversed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(45, 13, 5), "M", 2, unreconciled=2)
    payout = p.reimburse(product, 40, "Lost_Warehouse", 2)
    p.reverse(payout, 22)
    p.record(
        "lost_reimbursement_reversed",
        LOST,
        product,
        row,
        2,
        "2 units lost and reimbursed, then the payout was reversed in full, "
        "so both units are open again.",
    )


def _lost_after_old_payout(p: CasePlanter, product: Product) -> None:
    old = p.loss(product, p.at(100, 15, 30), "M", 1, unreconciled=0)
    p.reimburse(product, 95, "Lost_Warehouse", 1)
    row = p.loss(product, p.at(26, 9, 55), "M", 2, unreconciled=2)
    p.record(
        "lost_old_loss_paid",
        LOST,
        product,
        old,
        0,
        "An earlier loss of 1 unit, reimbursed 5 days later and past the "
        "60-day window.",
    )
    p.record(
        "lost_after_old_payout",
        LOST,
        product,
        row,
        2,
        "2 units lost. The only Lost_Warehouse payout on this FNSKU is 69 "
        "days older and belongs to the earlier loss.",
    )


def _lost_capped_by_unreconciled(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(42, 10, 45), "M", 5, unreconciled=2)
    p.reimburse(product, 125, "CustomerServiceIssue", 1, with_order=True)
    p.record(
        "lost_capped_by_unreconciled",
        LOST,
        product,
        row,
        2,
        "5 units lost with no credits in the data, but Amazon's Unreconciled "
        "Quantity is 2, which caps the claim.",
    )


def _lost_unknown_value(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(18, 12, 10), "M", 2, unreconciled=2)
    p.record(
        "lost_unknown_value",
        LOST,
        product,
        row,
        2,
        "2 units lost on an FNSKU with no reimbursement history, so the unit "
        "value is unknown (amount 0.00, low confidence).",
    )


def _lost_two_losses(p: CasePlanter, product: Product) -> None:
    first = p.loss(product, p.at(50, 9, 10), "M", 2, unreconciled=0)
    p.reimburse(product, 45, "Lost_Warehouse", 2)
    second = p.loss(product, p.at(24, 16, 20), "M", 3, unreconciled=3)
    p.record(
        "lost_first_of_two_paid",
        LOST,
        product,
        first,
        0,
        "First of two losses on this FNSKU, fully paid 5 days later.",
    )
    p.record(
        "lost_second_of_two",
        LOST,
        product,
        second,
        3,
        "Second loss on the same FNSKU. The payout 21 days earlier covered "
        "only the first loss.",
    )


def _damaged_unreimbursed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(25, 11, 35), "E", 2, unreconciled=2)
    p.reimburse(product, 135, "Damaged_Warehouse", 1)
    p.record(
        "damaged_unreimbursed",
        DAMAGED,
        product,
        row,
        2,
        "2 units damaged in the warehouse (E), not reimbursed.",
    )


def _damaged_paired_with_p(p: CasePlanter, product: Product) -> None:
    when = p.at(35, 14, 50)
    row = p.loss(product, when, "6", 1, unreconciled=1)
    p.adjustment(product, when, "P", 1, "CARRIER_DAMAGED", row.reference_id)
    p.reimburse(product, 120, "Lost_Warehouse", 1)
    p.record(
        "damaged_paired_with_p",
        DAMAGED,
        product,
        row,
        1,
        "1 unit damaged (6) with its P disposition change, which is not a credit.",
    )


def _lost_fully_reimbursed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(35, 10, 5), "M", 2, unreconciled=0)
    p.reimburse(product, 29, "Lost_Warehouse", 2)
    p.record(
        "lost_fully_reimbursed",
        LOST,
        product,
        row,
        0,
        "2 units lost, both paid by Lost_Warehouse 6 days later.",
    )


def _lost_found_again(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(40, 9, 25), "M", 3, unreconciled=0)
    p.adjustment(product, p.at(38, 15, 0), "F", 2)
    p.adjustment(product, p.at(36, 15, 0), "N", 1)
    p.reimburse(product, 128, "CustomerReturn", 1, with_order=True)
    p.record(
        "lost_found_again",
        LOST,
        product,
        row,
        0,
        "3 units lost, all found again (F 2, N 1).",
    )


def _lost_offset_by_correction(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(28, 13, 40), "M", 2, unreconciled=None)
    p.adjustment(product, p.at(27, 8, 30), "O", 2)
    p.reimburse(product, 138, "Lost_Warehouse", 1)
    p.record(
        "lost_offset_by_correction",
        LOST,
        product,
        row,
        0,
        "2 units lost, offset by an O correction of 2 the next day. The "
        "reconciliation columns are blank.",
    )


def _lost_too_recent(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(1, 11, 0), "M", 1, unreconciled=1)
    p.reimburse(product, 122, "CustomerReturn", 1, with_order=True)
    p.record(
        "lost_too_recent",
        LOST,
        product,
        row,
        0,
        "Lost 1 day ago: claimable only 5 business days after the adjustment.",
    )


def _lost_window_closed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(75, 10, 30), "M", 3, unreconciled=3)
    p.reimburse(product, 145, "Lost_Warehouse", 1, with_case=True)
    p.record(
        "lost_window_closed",
        LOST,
        product,
        row,
        0,
        "Lost 75 days ago: the 60-day claim window has closed.",
    )


def _damaged_fully_reimbursed(p: CasePlanter, product: Product) -> None:
    row = p.loss(product, p.at(30, 12, 25), "E", 2, unreconciled=0)
    p.reimburse(product, 27, "Damaged_Warehouse", 2)
    p.record(
        "damaged_fully_reimbursed",
        DAMAGED,
        product,
        row,
        0,
        "2 units damaged, both paid by Damaged_Warehouse 3 days later.",
    )


def _damaged_too_recent(p: CasePlanter, product: Product) -> None:
    when = p.at(3, 9, 5)
    row = p.loss(product, when, "K", 1, unreconciled=1)
    p.adjustment(product, when, "P", 1, "DEFECTIVE", row.reference_id)
    p.reimburse(product, 126, "CustomerReturn", 1, with_order=True)
    p.record(
        "damaged_too_recent",
        DAMAGED,
        product,
        row,
        0,
        "Damaged (K) 3 days ago: claimable only after 10 days.",
    )


_CASES: tuple[Callable[[CasePlanter, Product], None], ...] = (
    _lost_plain,
    _lost_partly_found,
    _lost_partly_reimbursed,
    _lost_reimbursement_reversed,
    _lost_after_old_payout,
    _lost_capped_by_unreconciled,
    _lost_unknown_value,
    _lost_two_losses,
    _damaged_unreimbursed,
    _damaged_paired_with_p,
    _lost_fully_reimbursed,
    _lost_found_again,
    _lost_offset_by_correction,
    _lost_too_recent,
    _lost_window_closed,
    _damaged_fully_reimbursed,
    _damaged_too_recent,
)


def _non_loss_events(p: CasePlanter, products: Sequence[Product]) -> None:
    changed, transferred_from, transferred_to, disposed = products
    when = p.at(30, 10, 0)
    q_row = p.adjustment(changed, when, "Q", -2)
    p.adjustment(changed, when, "P", 2, "CUSTOMER_DAMAGED", q_row.reference_id)
    p.record(
        "disposition_change_pq",
        DAMAGED,
        changed,
        q_row,
        0,
        "A Q/P disposition change pair is neither a loss nor a credit.",
    )
    when = p.at(44, 16, 0)
    out_row = p.adjustment(transferred_from, when, "4", -3)
    p.adjustment(transferred_to, when, "3", 3, reference_id=out_row.reference_id)
    p.record(
        "sku_transfer_34",
        LOST,
        transferred_from,
        out_row,
        0,
        "A 4/3 SKU redefinition transfer nets to zero.",
    )
    d_row = p.adjustment(disposed, p.at(21, 11, 0), "D", -2, "DEFECTIVE")
    p.record(
        "disposal_d",
        LOST,
        disposed,
        d_row,
        0,
        "A D disposal is not a lost or damaged loss.",
    )


def plant_cases(planter: CasePlanter, products: Sequence[Product]) -> None:
    """Plant every case on `products` (at least CASE_PRODUCTS + 4 of them)."""
    needed = CASE_PRODUCTS + BACKGROUND_EVENT_PRODUCTS
    if len(products) < needed:
        raise ValueError(f"planting needs {needed} products, got {len(products)}")
    for plant, product in zip(_CASES, products[:CASE_PRODUCTS], strict=True):
        plant(planter, product)
    _non_loss_events(planter, products[CASE_PRODUCTS:needed])
