"""The recoveries list: comma-separated filters, their validation, and sorting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.routes.recoveries import RECOVERY_STATUSES, RECOVERY_TYPES
from store.models import Recovery
from tests.api.conftest import Gateway


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


SEEDED = [
    # id, type, status, amount in cents, days until the claim deadline
    ("rec_a", "lost_inventory", "detected", 500, 30),
    ("rec_b", "damaged_inventory", "detected", 900, 10),
    ("rec_c", "fee_overcharge", "filed", 500, 20),
    ("rec_d", "lost_inventory", "cancelled", 100, 40),
]


async def seed(gateway: Gateway) -> str:
    user_id, token = await gateway.user_token()
    now = datetime(2026, 11, 20, tzinfo=UTC)
    async with gateway.state.sessions() as db:
        for position, (rec_id, kind, status, cents, days) in enumerate(SEEDED):
            db.add(
                Recovery(
                    id=rec_id,
                    user_id=user_id,
                    finding_key=f"key-{rec_id}",
                    type=kind,
                    status=status,
                    amount_minor=cents,
                    currency="USD",
                    confidence="high",
                    quantity=1,
                    reason="lost",
                    claim_deadline=now + timedelta(days=days),
                    detected_at=now + timedelta(hours=position),
                )
            )
        await db.commit()
    return token


async def listed_ids(gateway: Gateway, token: str, **params: str) -> list[str]:
    response = await gateway.client.get(
        "/api/recoveries", params=params, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]["items"]]


async def test_type_filter_takes_several_values(gateway: Gateway) -> None:
    token = await seed(gateway)
    ids = await listed_ids(
        gateway, token, type="lost_inventory,fee_overcharge", sort="detected_at"
    )
    assert ids == ["rec_a", "rec_c", "rec_d"]


async def test_status_and_type_filters_combine(gateway: Gateway) -> None:
    token = await seed(gateway)
    ids = await listed_ids(
        gateway, token, status="detected, cancelled", type="lost_inventory"
    )
    assert sorted(ids) == ["rec_a", "rec_d"]


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("type", "lost_inventory,stolen", RECOVERY_TYPES),
        ("status", "open", RECOVERY_STATUSES),
    ],
    ids=["type", "status"],
)
async def test_unknown_filter_value_gives_422(
    gateway: Gateway, field: str, value: str, allowed: tuple[str, ...]
) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.get(
        "/api/recoveries", params={field: value}, headers=bearer(token)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["message"]
    assert error["details"][0]["field"] == field
    assert error["details"][0]["allowed"] == list(allowed)


def test_known_types_match_detection_categories() -> None:
    assert set(RECOVERY_TYPES) == {
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


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("amount", ["rec_d", "rec_a", "rec_c", "rec_b"]),
        ("-amount", ["rec_b", "rec_c", "rec_a", "rec_d"]),
        ("claim_deadline", ["rec_b", "rec_c", "rec_a", "rec_d"]),
        ("-claim_deadline", ["rec_d", "rec_a", "rec_c", "rec_b"]),
        ("detected_at", ["rec_a", "rec_b", "rec_c", "rec_d"]),
        ("-detected_at", ["rec_d", "rec_c", "rec_b", "rec_a"]),
        ("deadline", ["rec_b", "rec_c", "rec_a", "rec_d"]),
        ("-date", ["rec_d", "rec_c", "rec_b", "rec_a"]),
    ],
    ids=[
        "amount",
        "-amount",
        "claim_deadline",
        "-claim_deadline",
        "detected_at",
        "-detected_at",
        "deadline_alias",
        "date_alias_descending",
    ],
)
async def test_sort_orders_with_id_tie_break(
    gateway: Gateway, sort: str, expected: list[str]
) -> None:
    token = await seed(gateway)
    assert await listed_ids(gateway, token, sort=sort) == expected


async def test_unknown_sort_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.get(
        "/api/recoveries", params={"sort": "price"}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "sort"
