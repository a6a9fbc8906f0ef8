"""Seller unit costs: what one unit of each SKU cost, to value lost units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from api.deps import CurrentUser, Db
from api.envelope import MAX_OFFSET, Envelope, Page, ok, page
from api.errors import NotFound, PayloadTooLarge, ValidationFailed
from api.services.unit_costs import (
    CURRENCIES,
    MAX_IMPORT_BYTES,
    MAX_LISTED_ERRORS,
    InvalidValue,
    check_currency,
    check_sku,
    check_unit_cost,
    format_unit_cost,
    import_error_message,
    parse_import,
)
from store.models import UnitCost
from store.unit_costs import (
    UnitCostRow,
    delete_unit_cost,
    import_unit_costs,
    list_unit_costs,
    put_unit_cost,
)
from store.users import get_amazon_connection, marketplace_currency

router = APIRouter(prefix="/api/unit-costs", tags=["unit costs"])

SkuPath = Annotated[str, Path(min_length=1, max_length=200)]


class UnitCostView(BaseModel):
    sku: str
    unit_cost: str
    currency: str
    source: Literal["manual", "import"]
    updated_at: datetime


class PutUnitCostRequest(BaseModel):
    unit_cost: str = Field(
        max_length=20,
        description='Decimal string with a point, > 0, e.g. "12.50"',
        examples=["12.50"],
    )
    currency: str = Field(
        max_length=10,
        description=f"ISO 4217 code, one of {', '.join(CURRENCIES)}",
        examples=["USD"],
    )

    @field_validator("unit_cost", mode="before")
    @classmethod
    def _reject_number(cls, value: Any) -> Any:
        # Most JSON clients have parsed a number into a binary float already.
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise PydanticCustomError(
                "string_type",
                'send the unit cost as a decimal string such as "12.50", not as a '
                "JSON number",
            )
        return value


class DeletedUnitCost(BaseModel):
    sku: str
    deleted: bool


class ImportResult(BaseModel):
    imported: int
    updated: int
    unchanged: int


def unit_cost_view(cost: UnitCost) -> UnitCostView:
    return UnitCostView(
        sku=cost.sku,
        unit_cost=format_unit_cost(cost.unit_cost_minor, cost.currency),
        currency=cost.currency,
        source="import" if cost.source == "import" else "manual",
        updated_at=cost.updated_at,
    )


def _field_error(field: str, location: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid value for {field}: {message}.",
        details=[
            {
                "field": field,
                "location": location,
                "message": message,
                "type": "value_error",
            }
        ],
    )


@router.get("", response_model=Envelope[Page[UnitCostView]])
async def list_all(
    user: CurrentUser,
    db: Db,
    sku: Annotated[
        str | None,
        Query(max_length=200, description="Keep the SKUs starting with this text"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Envelope[Page[UnitCostView]]:
    """List the seller's unit costs by SKU, paged."""
    rows, total = await list_unit_costs(
        db, user.id, sku_prefix=sku, limit=limit, offset=offset
    )
    items = [unit_cost_view(row) for row in rows]
    return page(items, total=total, limit=limit, offset=offset)


@router.put("/{sku:path}", response_model=Envelope[UnitCostView])
async def put(
    user: CurrentUser, db: Db, sku: SkuPath, body: PutUnitCostRequest
) -> Envelope[UnitCostView]:
    """Set the cost of one unit of a SKU, replacing an imported or earlier one."""
    try:
        checked_sku = check_sku(sku)
    except InvalidValue as error:
        raise _field_error("sku", "path", str(error)) from error
    try:
        currency = check_currency(body.currency)
    except InvalidValue as error:
        raise _field_error("currency", "body", str(error)) from error
    try:
        minor = check_unit_cost(body.unit_cost, currency)
    except InvalidValue as error:
        raise _field_error("unit_cost", "body", str(error)) from error
    cost, _created = await put_unit_cost(
        db, user.id, UnitCostRow(checked_sku, minor, currency)
    )
    return ok(unit_cost_view(cost))


@router.delete("/{sku:path}", response_model=Envelope[DeletedUnitCost])
async def delete(user: CurrentUser, db: Db, sku: SkuPath) -> Envelope[DeletedUnitCost]:
    """Delete the cost of a SKU; 404 when none is stored."""
    try:
        checked_sku = check_sku(sku)
    except InvalidValue as error:
        raise _field_error("sku", "path", str(error)) from error
    if not await delete_unit_cost(db, user.id, checked_sku):
        raise NotFound(f"No unit cost is stored for SKU {checked_sku!r}.")
    return ok(DeletedUnitCost(sku=checked_sku, deleted=True))


@router.post("/import", response_model=Envelope[ImportResult])
async def import_file(
    user: CurrentUser,
    db: Db,
    file: Annotated[UploadFile, File(description="CSV: sku,unit_cost[,currency]")],
) -> Envelope[ImportResult]:
    """Import a CSV of unit costs: every line is checked, and nothing is stored
    unless all of them pass."""
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_IMPORT_BYTES} bytes; split it and "
            "import the parts."
        )
    currency = marketplace_currency(await get_amazon_connection(db, user.id))
    parsed = parse_import(content, currency)
    if parsed.problems:
        listed = parsed.problems[:MAX_LISTED_ERRORS]
        raise ValidationFailed(
            import_error_message(parsed.problems, len(listed)),
            details=[problem.as_detail() for problem in listed],
        )
    counts = await import_unit_costs(db, user.id, parsed.rows)
    return ok(
        ImportResult(
            imported=counts.imported,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )
    )
