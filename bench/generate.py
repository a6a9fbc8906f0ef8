"""Seeded generator of one seller's report files in Amazon's formats.

The files are what the sync downloads: the quoted ledger detail TSV, the
reimbursements and customer returns TSVs and one V2 settlement flat file whose
first data row is the settlement summary. The same seed and scale give the same
bytes on every run, because every report draws from its own `random.Random` seeded
with a string (string seeds do not depend on PYTHONHASHSEED).

Money is generated in integer cents and written as decimal strings, so no float
ever touches an amount.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

LEDGER_REPORT = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS_REPORT = "GET_FBA_REIMBURSEMENTS_DATA"
RETURNS_REPORT = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
MARKETPLACE_ID = "ATVPDKIKX0DER"

# The instant detection is evaluated at; every generated event is before it.
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
# The ledger covers 18 months, as Amazon's report does.
HISTORY_DAYS = 540
# A real settlement covers about two weeks. This one covers half a year, so rules
# that wait 60 days after a refund see refunds of every age.
SETTLEMENT_DAYS = 180
# Pacific daylight time, the offset the US ledger writes ("-0700").
LEDGER_OFFSET = timedelta(hours=-7)

FULL_SIZES = {
    "ledger_rows": 1_000_000,
    "reimbursement_rows": 200_000,
    "return_rows": 200_000,
    "settlement_rows": 500_000,
    "skus": 20_000,
}

LEDGER_HEADER = (
    "Date",
    "FNSKU",
    "ASIN",
    "MSKU",
    "Title",
    "Event Type",
    "Reference ID",
    "Quantity",
    "Fulfillment Center",
    "Disposition",
    "Reason",
    "Country",
    "Reconciled Quantity",
    "Unreconciled Quantity",
    "Date and Time",
    "Store",
)
REIMBURSEMENTS_HEADER = (
    "approval-date",
    "reimbursement-id",
    "case-id",
    "amazon-order-id",
    "reason",
    "sku",
    "fnsku",
    "asin",
    "product-name",
    "condition",
    "currency-unit",
    "amount-per-unit",
    "amount-total",
    "quantity-reimbursed-cash",
    "quantity-reimbursed-inventory",
    "quantity-reimbursed-total",
    "original-reimbursement-id",
    "original-reimbursement-type",
)
RETURNS_HEADER = (
    "return-date",
    "order-id",
    "sku",
    "asin",
    "fnsku",
    "product-name",
    "quantity",
    "fulfillment-center-id",
    "detailed-disposition",
    "reason",
    "status",
    "license-plate-number",
    "customer-comments",
)
SETTLEMENT_HEADER = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
)

# Ledger event types by share of rows. Adjustments are a few percent.
_EVENT_TYPES = (
    "Shipments",
    "Receipts",
    "CustomerReturns",
    "WhseTransfers",
    "VendorReturns",
    "Adjustments",
)
_EVENT_WEIGHTS = (64, 16, 8, 4, 1, 7)

# Adjustments reason codes by share of the Adjustments rows, with the sign of the
# quantity and the disposition the row is in.
_ADJUSTMENTS = (
    ("M", -1, "SELLABLE", 22),
    ("5", -1, "SELLABLE", 6),
    ("E", -1, "SELLABLE", 11),
    ("6", -1, "CARRIER_DAMAGED", 2),
    ("H", -1, "CUSTOMER_DAMAGED", 3),
    ("K", -1, "DEFECTIVE", 2),
    ("F", 1, "SELLABLE", 14),
    ("N", 1, "SELLABLE", 5),
    ("O", -1, "SELLABLE", 3),
    ("O", 1, "SELLABLE", 2),
    ("P", 1, "UNSELLABLE", 12),
    ("Q", -1, "SELLABLE", 9),
    ("D", -1, "UNSELLABLE", 7),
    ("3", 1, "SELLABLE", 1),
    ("4", -1, "SELLABLE", 1),
)
_LOSS_CLASS = {"M": "lost", "5": "lost", "E": "damaged", "6": "damaged"}
_LOSS_CLASS.update({"H": "damaged", "K": "damaged"})

# Reimbursement reasons of the original rows by share; reversals come on top.
_REIMBURSEMENT_REASONS = (
    ("Lost_Warehouse", 24),
    ("Damaged_Warehouse", 13),
    ("CustomerReturn", 30),
    ("CustomerServiceIssue", 10),
    ("Lost_Inbound", 9),
    ("Damaged_Inbound", 4),
    ("RemovalOrderLost", 6),
)
_REVERSAL_SHARE = 0.04
# Share of warehouse losses that Amazon reimbursed, when the payout is due.
_PAID_LOSS_SHARE = 0.7

_RETURN_DISPOSITIONS = (
    ("SELLABLE", 60),
    ("CUSTOMER_DAMAGED", 14),
    ("DEFECTIVE", 12),
    ("CARRIER_DAMAGED", 5),
    ("DAMAGED", 4),
    ("EXPIRED", 5),
)
_RETURN_REASONS = (
    "UNWANTED_ITEM",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "ORDERED_WRONG_ITEM",
    "SWITCHEROO",
    "DAMAGED_BY_CARRIER",
)
_RETURN_STATUSES = (
    "Unit returned to inventory",
    "Reimbursed",
    "Repackaged Successfully",
)
_CENTERS = tuple(
    f"{prefix}{number}"
    for prefix in ("ACY", "PHX", "ONT", "BFI", "MDW", "LAS")
    for number in range(1, 6)
)


@dataclass(frozen=True, slots=True)
class Sizes:
    """Row counts of the generated reports."""

    ledger_rows: int
    reimbursement_rows: int
    return_rows: int
    settlement_rows: int
    skus: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        """Return the full sizes times `scale`, each at least 10."""
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        counts = {name: max(round(n * scale), 10) for name, n in FULL_SIZES.items()}
        return cls(**counts)


@dataclass(frozen=True, slots=True)
class Product:
    fnsku: str
    asin: str
    sku: str
    title: str
    price_cents: int
    fee_cents: int


@dataclass(frozen=True, slots=True)
class _Loss:
    product: int
    moment: datetime
    loss_class: str
    units: int


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    """One generated report file."""

    report_type: str
    path: Path
    data_rows: int
    """Rows below the header, the settlement summary row included."""


def generate_seller(directory: Path, sizes: Sizes, seed: int) -> list[GeneratedReport]:
    """Write the four report files into `directory` and describe them."""
    directory.mkdir(parents=True, exist_ok=True)
    products = _products(sizes.skus, random.Random(f"{seed}:products"))
    weights = _popularity(len(products))

    ledger_path = directory / "ledger_detail.tsv"
    ledger = _LedgerLines(products, weights, sizes.ledger_rows, f"{seed}:ledger")
    _write_lines(ledger_path, ledger)
    reports = [GeneratedReport(LEDGER_REPORT, ledger_path, sizes.ledger_rows)]

    path = directory / "reimbursements.tsv"
    rows = _reimbursement_rows(
        products,
        weights,
        ledger.losses,
        sizes.reimbursement_rows,
        random.Random(f"{seed}:reimbursements"),
    )
    _write_lines(path, _tsv_lines(REIMBURSEMENTS_HEADER, rows))
    reports.append(GeneratedReport(REIMBURSEMENTS_REPORT, path, len(rows)))

    path = directory / "customer_returns.tsv"
    rows = _return_rows(
        products, weights, sizes.return_rows, random.Random(f"{seed}:returns")
    )
    _write_lines(path, _tsv_lines(RETURNS_HEADER, rows))
    reports.append(GeneratedReport(RETURNS_REPORT, path, len(rows)))

    path = directory / "settlement.tsv"
    rows = _settlement_rows(
        products, weights, sizes.settlement_rows, random.Random(f"{seed}:settlement")
    )
    _write_lines(path, _tsv_lines(SETTLEMENT_HEADER, rows))
    reports.append(GeneratedReport(SETTLEMENT_REPORT, path, len(rows)))
    return reports


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write the lines as UTF-8 with LF endings, as Amazon's files come."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(lines)


def _products(count: int, rng: random.Random) -> list[Product]:
    products = []
    for index in range(count):
        inches = rng.choice((6, 8, 10, 12, 16))
        products.append(
            Product(
                fnsku=f"X00{index:07d}",
                asin=f"B0{rng.randrange(10**8):08d}",
                sku=f"SKU-{index:05d}-{rng.choice('ABCDEFGH')}",
                title=f'Example Product {index} {inches}" Deluxe',
                price_cents=rng.randrange(499, 8_000),
                fee_cents=rng.choice((322, 340, 375, 421, 513, 689)),
            )
        )
    return products


def _popularity(count: int) -> list[float]:
    """Cumulative weights: a few products sell far more than the rest."""
    cumulative: list[float] = []
    total = 0.0
    for rank in range(count):
        total += 1.0 / (rank + 20)
        cumulative.append(total)
    return cumulative


def _quote(fields: tuple[str, ...] | list[str]) -> str:
    return "\t".join('"' + field.replace('"', '""') + '"' for field in fields) + "\n"


def _tsv_lines(header: tuple[str, ...], rows: list[list[str]]) -> Iterator[str]:
    yield "\t".join(header) + "\n"
    for row in rows:
        yield "\t".join(row) + "\n"


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _spaced_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _sorted_moments(
    rng: random.Random, count: int, days: int, end: datetime
) -> list[datetime]:
    """`count` whole-second instants in the `days` before `end`, in order."""
    span = days * 86_400
    start = end - timedelta(seconds=span)
    offsets = sorted(rng.randrange(1, span) for _ in range(count))
    return [start + timedelta(seconds=offset) for offset in offsets]


class _LedgerLines:
    """The ledger lines, and the loss rows seen, for the reimbursements to pay."""

    def __init__(
        self, products: list[Product], weights: list[float], rows: int, seed: str
    ) -> None:
        self._products = products
        self._weights = weights
        self._rows = rows
        self._rng = random.Random(seed)
        self.losses: list[_Loss] = []

    def __iter__(self) -> Iterator[str]:
        rng = self._rng
        yield _quote(LEDGER_HEADER)
        moments = _sorted_moments(rng, self._rows, HISTORY_DAYS, AS_OF)
        picks = rng.choices(
            range(len(self._products)), cum_weights=self._weights, k=self._rows
        )
        events = rng.choices(_EVENT_TYPES, _EVENT_WEIGHTS, k=self._rows)
        codes = [entry[:3] for entry in _ADJUSTMENTS]
        code_weights = [entry[3] for entry in _ADJUSTMENTS]
        for index, (moment, pick, event) in enumerate(
            zip(moments, picks, events, strict=True)
        ):
            product = self._products[pick]
            local = moment + LEDGER_OFFSET
            reason, disposition = "", "SELLABLE"
            reconciled = unreconciled = ""
            # Distinct per row, so no two generated rows have the same hash key.
            reference = str(100_000_000 + index)
            if event == "Shipments":
                quantity = -1 if rng.random() < 0.9 else -2
            elif event == "CustomerReturns":
                quantity = 1
            elif event == "Receipts":
                quantity = rng.choice((1, 2, 6, 12, 24, 48))
                reference = f"FBA15{index:07X}"
            elif event == "WhseTransfers":
                quantity = rng.choice((-6, -2, -1, 1, 2, 6))
            elif event == "VendorReturns":
                quantity = -rng.randrange(1, 10)
            else:
                reason, sign, disposition = rng.choices(codes, code_weights)[0]
                units = 1 if rng.random() < 0.75 else rng.randrange(2, 6)
                quantity = sign * units
                loss_class = _LOSS_CLASS.get(reason)
                if loss_class is not None:
                    self.losses.append(_Loss(pick, moment, loss_class, units))
                    reconciled, unreconciled = _reconciliation(rng, units)
            yield _quote(
                (
                    f"{local.month:02d}/{local.day:02d}/{local.year}",
                    product.fnsku,
                    product.asin,
                    product.sku,
                    product.title,
                    event,
                    reference,
                    str(quantity),
                    _CENTERS[index % len(_CENTERS)],
                    disposition,
                    reason,
                    "US",
                    reconciled,
                    unreconciled,
                    local.strftime("%Y-%m-%dT%H:%M:%S-0700"),
                    "",
                )
            )


def _reconciliation(rng: random.Random, units: int) -> tuple[str, str]:
    """Reconciled and Unreconciled Quantity of a loss row; blank on a fifth."""
    if rng.random() < 0.2:
        return "", ""
    open_units = units if rng.random() < 0.6 else rng.randrange(units + 1)
    return str(units - open_units), str(open_units)


@dataclass(frozen=True, slots=True)
class _Payout:
    moment: datetime
    product: int
    reason: str
    units: int
    cash: bool


def _reimbursement_rows(
    products: list[Product],
    weights: list[float],
    losses: list[_Loss],
    count: int,
    rng: random.Random,
) -> list[list[str]]:
    """Originals of every reason, most warehouse losses paid, then reversals."""
    reversal_count = round(count * _REVERSAL_SHARE)
    due = _due_payouts(losses, rng)
    names = [name for name, _ in _REIMBURSEMENT_REASONS]
    shares = [share for _, share in _REIMBURSEMENT_REASONS]
    payouts: list[_Payout] = []
    for reason in rng.choices(names, shares, k=count - reversal_count):
        tied = due.get(reason)
        if tied:
            moment, product, units = tied.pop()
        else:
            moment = AS_OF - timedelta(
                seconds=rng.randrange(3_600, HISTORY_DAYS * 86_400)
            )
            product = bisect.bisect_left(weights, rng.random() * weights[-1])
            units = 1 if rng.random() < 0.85 else rng.randrange(2, 4)
        payouts.append(_Payout(moment, product, reason, units, rng.random() < 0.8))
    payouts.sort(key=lambda payout: payout.moment)

    rows: list[tuple[datetime, list[str]]] = []
    warehouse: list[tuple[str, _Payout]] = []
    for index, payout in enumerate(payouts):
        reimbursement_id = str(2_000_000_000 + index)
        case_id = str(rng.randrange(10**9, 10**10)) if rng.random() < 0.3 else ""
        rows.append(
            (
                payout.moment,
                _reimbursement_row(products, payout, reimbursement_id, case_id, rng),
            )
        )
        if payout.reason in ("Lost_Warehouse", "Damaged_Warehouse"):
            warehouse.append((reimbursement_id, payout))

    chosen = rng.sample(warehouse, min(reversal_count, len(warehouse)))
    for offset, (original_id, original) in enumerate(chosen):
        moment = original.moment + timedelta(seconds=rng.randrange(3, 90) * 86_400)
        if moment >= AS_OF:
            moment = original.moment + (AS_OF - original.moment) / 2
        units = original.units if rng.random() < 0.8 else 1
        reversal = _Payout(
            moment, original.product, "Reimbursement_Reversal", -units, original.cash
        )
        row = _reimbursement_row(
            products, reversal, str(2_000_000_000 + len(payouts) + offset), "", rng
        )
        row[-2:] = [original_id, original.reason]
        rows.append((moment, row))
    rows.sort(key=lambda entry: entry[0])
    return [row for _, row in rows]


def _due_payouts(
    losses: list[_Loss], rng: random.Random
) -> dict[str, list[tuple[datetime, int, int]]]:
    """Payouts of the warehouse losses Amazon paid, by reimbursement reason."""
    due: dict[str, list[tuple[datetime, int, int]]] = {
        "Lost_Warehouse": [],
        "Damaged_Warehouse": [],
    }
    for loss in losses:
        if rng.random() >= _PAID_LOSS_SHARE:
            continue
        # Amazon sometimes approves the payout a day or two before the ledger
        # dates the adjustment, which the engine's credit lookback allows for.
        delay = rng.randrange(-2 * 86_400, 40 * 86_400)
        moment = loss.moment + timedelta(seconds=delay)
        if moment >= AS_OF:
            continue
        units = loss.units if rng.random() < 0.85 else rng.randrange(1, loss.units + 1)
        reason = "Lost_Warehouse" if loss.loss_class == "lost" else "Damaged_Warehouse"
        due[reason].append((moment, loss.product, units))
    return due


def _reimbursement_row(
    products: list[Product],
    payout: _Payout,
    reimbursement_id: str,
    case_id: str,
    rng: random.Random,
) -> list[str]:
    product = products[payout.product]
    # Amazon's estimate of the manufacturing cost, below the sale price.
    per_unit = product.price_cents * 45 // 100
    cash = payout.units if payout.cash else 0
    inventory = 0 if payout.cash else payout.units
    order_id = ""
    if payout.reason in ("CustomerReturn", "CustomerServiceIssue"):
        order_id = _order_id(rng)
    return [
        _iso_utc(payout.moment),
        reimbursement_id,
        case_id,
        order_id,
        payout.reason,
        product.sku,
        product.fnsku,
        product.asin,
        product.title,
        "New",
        "USD",
        _money(per_unit),
        _money(per_unit * cash),
        str(cash),
        str(inventory),
        str(payout.units),
        "",
        "",
    ]


def _order_id(rng: random.Random) -> str:
    prefix = rng.choice(("111", "112", "113", "114"))
    return f"{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"


def _return_rows(
    products: list[Product], weights: list[float], count: int, rng: random.Random
) -> list[list[str]]:
    """Build one row per returned unit, each with its own license plate number."""
    moments = _sorted_moments(rng, count, HISTORY_DAYS, AS_OF)
    picks = rng.choices(range(len(products)), cum_weights=weights, k=count)
    dispositions = [name for name, _ in _RETURN_DISPOSITIONS]
    shares = [share for _, share in _RETURN_DISPOSITIONS]
    rows = []
    for index, (moment, pick) in enumerate(zip(moments, picks, strict=True)):
        product = products[pick]
        comment = "Item arrived late" if rng.random() < 0.1 else ""
        rows.append(
            [
                _iso_utc(moment),
                _order_id(rng),
                product.sku,
                product.asin,
                product.fnsku,
                product.title,
                "1",
                _CENTERS[index % len(_CENTERS)],
                rng.choices(dispositions, shares)[0],
                rng.choice(_RETURN_REASONS),
                rng.choice(_RETURN_STATUSES),
                f"LPNRR{index:09d}",
                comment,
            ]
        )
    return rows


@dataclass(frozen=True, slots=True)
class _Sale:
    order_id: str
    item_code: str
    product: int
    quantity: int
    principal_cents: int
    commission_cents: int
    tax_cents: int


def _settlement_rows(
    products: list[Product], weights: list[float], count: int, rng: random.Random
) -> list[list[str]]:
    """Build the summary row, then Order and Refund rows up to `count` rows in all.

    Signs follow the seller's view: fees are negative, a refund's Principal is
    negative, its refunded Commission positive and RefundCommission negative.
    """
    settlement_id = str(rng.randrange(10**10, 10**11))
    end = AS_OF - timedelta(days=2, seconds=rng.randrange(86_400))
    start = end - timedelta(days=SETTLEMENT_DAYS)
    data_rows = count - 1
    # About four rows per order item, spread evenly over the period.
    mean_gap = SETTLEMENT_DAYS * 86_400 * 4 // max(data_rows, 1)
    moment = start
    sales: list[_Sale] = []
    rows: list[list[str]] = []
    while len(rows) < data_rows:
        moment += timedelta(seconds=rng.randrange(2 * mean_gap + 1))
        moment = min(moment, end)
        if sales and rng.random() < 0.08:
            rows.extend(
                _refund_rows(settlement_id, products, rng.choice(sales), moment, rng)
            )
        else:
            sale = _sale(products, weights, rng)
            sales.append(sale)
            rows.extend(_order_rows(settlement_id, products, sale, moment, rng))
    del rows[data_rows:]

    total = sum(_cents(row[14]) for row in rows)
    summary = [""] * len(SETTLEMENT_HEADER)
    summary[:6] = [
        settlement_id,
        _spaced_utc(start),
        _spaced_utc(end),
        _spaced_utc(end + timedelta(days=1)),
        _money(total),
        "USD",
    ]
    return [summary, *rows]


def _cents(amount: str) -> int:
    sign = -1 if amount.startswith("-") else 1
    whole, _, fraction = amount.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(fraction))


def _sale(products: list[Product], weights: list[float], rng: random.Random) -> _Sale:
    pick = bisect.bisect_left(weights, rng.random() * weights[-1])
    quantity = 1 if rng.random() < 0.9 else rng.randrange(2, 4)
    principal = products[pick].price_cents * quantity
    return _Sale(
        order_id=_order_id(rng),
        item_code=str(rng.randrange(10**13, 10**14)),
        product=pick,
        quantity=quantity,
        principal_cents=principal,
        commission_cents=principal * 15 // 100,
        tax_cents=principal * 8 // 100 if rng.random() < 0.5 else 0,
    )


def _order_rows(
    settlement_id: str,
    products: list[Product],
    sale: _Sale,
    moment: datetime,
    rng: random.Random,
) -> list[list[str]]:
    product = products[sale.product]
    shipment = f"D{rng.randrange(36**8):08X}"
    amounts = [("ItemPrice", "Principal", sale.principal_cents, "")]
    if sale.tax_cents:
        amounts.append(("ItemPrice", "Tax", sale.tax_cents, ""))
    amounts.append(("ItemFees", "Commission", -sale.commission_cents, ""))
    amounts.append(
        ("ItemFees", "FBAPerUnitFulfillmentFee", -product.fee_cents * sale.quantity, "")
    )
    if rng.random() < 0.08:
        promotion = f"US Core Free Shipping {rng.randrange(1000)}"
        amounts.append(
            ("Promotion", "Principal", -sale.principal_cents // 10, promotion)
        )
    return [
        _settlement_row(
            settlement_id,
            "Order",
            sale,
            shipment_id=shipment,
            adjustment_id="",
            amount=entry,
            moment=moment,
            quantity=str(sale.quantity),
            sku=product.sku,
        )
        for entry in amounts
    ]


def _refund_rows(
    settlement_id: str,
    products: list[Product],
    sale: _Sale,
    moment: datetime,
    rng: random.Random,
) -> list[list[str]]:
    # Amazon keeps 20% of the referral fee, at most $5.00 per unit, as an admin fee.
    admin_fee = min(sale.commission_cents // 5, 500 * sale.quantity)
    amounts = [("ItemPrice", "Principal", -sale.principal_cents, "")]
    if sale.tax_cents:
        amounts.append(("ItemPrice", "Tax", -sale.tax_cents, ""))
    amounts.append(("ItemFees", "Commission", sale.commission_cents, ""))
    amounts.append(("ItemFees", "RefundCommission", -admin_fee, ""))
    adjustment = str(rng.randrange(10**13, 10**14))
    return [
        _settlement_row(
            settlement_id,
            "Refund",
            sale,
            shipment_id="",
            adjustment_id=adjustment,
            amount=entry,
            moment=moment,
            quantity="",
            sku=products[sale.product].sku,
        )
        for entry in amounts
    ]


def _settlement_row(
    settlement_id: str,
    transaction_type: str,
    sale: _Sale,
    *,
    shipment_id: str,
    adjustment_id: str,
    amount: tuple[str, str, int, str],
    moment: datetime,
    quantity: str,
    sku: str,
) -> list[str]:
    amount_type, description, cents, promotion = amount
    return [
        settlement_id,
        "",
        "",
        "",
        "",
        "USD",
        transaction_type,
        sale.order_id,
        "",
        adjustment_id,
        shipment_id,
        "Amazon.com",
        amount_type,
        description,
        _money(cents),
        "AFN",
        moment.strftime("%Y-%m-%d"),
        _spaced_utc(moment),
        sale.item_code,
        "",
        "",
        sku,
        quantity,
        promotion,
    ]
