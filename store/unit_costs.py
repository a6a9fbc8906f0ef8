"""The seller's unit costs by SKU: reads, single writes and all-or-nothing imports.

Costs are stored in hundredths of the currency unit (`unit_cost_minor`), whatever
the currency's own number of decimals, like every other amount in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import UnitCost
from store.types import utcnow

UnitCostSource = Literal["manual", "import"]
_SKU_BATCH = 500
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class UnitCostRow:
    sku: str
    unit_cost_minor: int
    currency: str


@dataclass(frozen=True)
class ImportCounts:
    imported: int
    updated: int
    unchanged: int


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_unit_costs(
    db: AsyncSession,
    user_id: str,
    *,
    sku_prefix: str | None,
    limit: int,
    offset: int,
) -> tuple[list[UnitCost], int]:
    """Return one page of the user's costs ordered by SKU, and the total count.

    `sku_prefix` keeps the SKUs that start with it, compared case-sensitively.
    """
    query = select(UnitCost).where(UnitCost.user_id == user_id)
    if sku_prefix:
        query = query.where(
            UnitCost.sku.like(f"{_escape_like(sku_prefix)}%", escape="\\")
        )
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(UnitCost.sku, UnitCost.id).limit(limit).offset(offset)
    )
    return list(rows), int(total)


async def get_unit_cost(db: AsyncSession, user_id: str, sku: str) -> UnitCost | None:
    return await db.scalar(
        select(UnitCost).where(UnitCost.user_id == user_id, UnitCost.sku == sku)
    )


async def put_unit_cost(
    db: AsyncSession,
    user_id: str,
    row: UnitCostRow,
    source: UnitCostSource = "manual",
) -> tuple[UnitCost, bool]:
    """Create or replace the cost of one SKU; return the row and whether it is new.

    A concurrent insert of the same SKU loses to the unique (user_id, sku)
    constraint, and this call then updates the row the other one created.
    """
    for _ in range(2):
        existing = await get_unit_cost(db, user_id, row.sku)
        if existing is not None:
            _update(existing, row, source)
            await db.flush()
            return existing, False
        created = UnitCost(
            user_id=user_id,
            sku=row.sku,
            unit_cost_minor=row.unit_cost_minor,
            currency=row.currency,
            source=source,
        )
        try:
            async with db.begin_nested():
                db.add(created)
        except IntegrityError:
            continue
        return created, True
    raise RuntimeError(f"could not store the unit cost of {row.sku!r} for {user_id}")


async def delete_unit_cost(db: AsyncSession, user_id: str, sku: str) -> bool:
    """Delete the cost of one SKU; return False when there was none."""
    result = await db.execute(
        delete(UnitCost).where(UnitCost.user_id == user_id, UnitCost.sku == sku)
    )
    return bool(getattr(result, "rowcount", 0))


async def import_unit_costs(
    db: AsyncSession, user_id: str, rows: Sequence[UnitCostRow]
) -> ImportCounts:
    """Insert or update every row with source `import`, in the caller's transaction.

    The rows must have distinct SKUs. A row equal to the stored cost and currency
    is counted as unchanged and keeps its source and update time.
    """
    existing: dict[str, UnitCost] = {}
    skus = [row.sku for row in rows]
    for start in range(0, len(skus), _SKU_BATCH):
        batch = skus[start : start + _SKU_BATCH]
        found = await db.scalars(
            select(UnitCost).where(UnitCost.user_id == user_id, UnitCost.sku.in_(batch))
        )
        existing.update((cost.sku, cost) for cost in found)

    imported = updated = unchanged = 0
    for row in rows:
        stored = existing.get(row.sku)
        if stored is None:
            db.add(
                UnitCost(
                    user_id=user_id,
                    sku=row.sku,
                    unit_cost_minor=row.unit_cost_minor,
                    currency=row.currency,
                    source="import",
                )
            )
            imported += 1
        elif (stored.unit_cost_minor, stored.currency) == (
            row.unit_cost_minor,
            row.currency,
        ):
            unchanged += 1
        else:
            _update(stored, row, "import")
            updated += 1
    await db.flush()
    return ImportCounts(imported, updated, unchanged)


async def unit_costs_by_sku(
    db: AsyncSession, user_id: str, currency: str
) -> dict[str, Decimal]:
    """Return the user's costs in `currency` by SKU, as Decimals in currency units.

    Costs in another currency are left out, because the detection engine compares
    them with amounts in the marketplace currency.
    """
    rows = await db.execute(
        select(UnitCost.sku, UnitCost.unit_cost_minor).where(
            UnitCost.user_id == user_id, UnitCost.currency == currency
        )
    )
    return {sku: (Decimal(minor) / 100).quantize(_CENT) for sku, minor in rows}


def _update(cost: UnitCost, row: UnitCostRow, source: UnitCostSource) -> None:
    cost.unit_cost_minor = row.unit_cost_minor
    cost.currency = row.currency
    cost.source = source
    cost.updated_at = utcnow()
