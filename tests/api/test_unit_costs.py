"""Unit-cost routes: single writes, listing, deleting and all-or-nothing CSV import."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.services.unit_costs import MAX_IMPORT_BYTES
from store.models import UnitCost
from store.users import save_amazon_connection
from tests.api.conftest import Gateway


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def put_cost(
    gateway: Gateway, token: str, sku: str, unit_cost: str, currency: str = "USD"
) -> Any:
    return await gateway.client.put(
        f"/api/unit-costs/{sku}",
        headers=bearer(token),
        json={"unit_cost": unit_cost, "currency": currency},
    )


async def upload(gateway: Gateway, token: str, content: bytes) -> Any:
    return await gateway.client.post(
        "/api/unit-costs/import",
        headers=bearer(token),
        files={"file": ("costs.csv", content, "text/csv")},
    )


async def stored_costs(gateway: Gateway, user_id: str) -> dict[str, tuple[int, str]]:
    async with gateway.state.sessions() as db:
        rows = await db.scalars(select(UnitCost).where(UnitCost.user_id == user_id))
        return {row.sku: (row.unit_cost_minor, row.currency) for row in rows}


async def test_put_creates_then_replaces(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    created = await put_cost(gateway, token, "MUG-12OZ", "12.5")
    replaced = await put_cost(gateway, token, "MUG-12OZ", "13.75", "CAD")
    assert created.status_code == 200
    assert created.json()["data"]["unit_cost"] == "12.50"
    assert created.json()["data"]["source"] == "manual"
    data = replaced.json()["data"]
    assert (data["sku"], data["unit_cost"], data["currency"]) == (
        "MUG-12OZ",
        "13.75",
        "CAD",
    )
    assert await stored_costs(gateway, user_id) == {"MUG-12OZ": (1375, "CAD")}


async def test_put_keeps_yen_without_decimals(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "TEA-JP", "1200", "JPY")
    assert response.json()["data"]["unit_cost"] == "1200"
    assert await stored_costs(gateway, user_id) == {"TEA-JP": (120000, "JPY")}


@pytest.mark.parametrize(
    ("unit_cost", "currency", "field"),
    [
        ("0", "USD", "unit_cost"),
        ("0.00", "USD", "unit_cost"),
        ("-1.00", "USD", "unit_cost"),
        ("12.345", "USD", "unit_cost"),
        ("12,50", "EUR", "unit_cost"),
        ("1e3", "USD", "unit_cost"),
        ("$12", "USD", "unit_cost"),
        ("1000000.01", "USD", "unit_cost"),
        ("1200.5", "JPY", "unit_cost"),
        ("12.50", "XYZ", "currency"),
    ],
    ids=[
        "zero",
        "zero-cents",
        "negative",
        "three-decimals",
        "decimal-comma",
        "exponent",
        "symbol",
        "too-large",
        "yen-decimals",
        "unknown-currency",
    ],
)
async def test_put_rejects_invalid_value(
    gateway: Gateway, unit_cost: str, currency: str, field: str
) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "MUG-12OZ", unit_cost, currency)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["field"] for detail in error["details"]] == [field]
    assert await stored_costs(gateway, user_id) == {}


async def test_put_rejects_number_body(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.put(
        "/api/unit-costs/MUG-12OZ",
        headers=bearer(token),
        json={"unit_cost": 12.5, "currency": "USD"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "unit_cost"


async def test_put_accepts_sku_with_slash(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "BOX/2-PACK", "4.00")
    assert response.status_code == 200
    assert response.json()["data"]["sku"] == "BOX/2-PACK"
    deleted = await gateway.client.delete(
        "/api/unit-costs/BOX/2-PACK", headers=bearer(token)
    )
    assert deleted.status_code == 200
    assert await stored_costs(gateway, user_id) == {}


async def test_delete_missing_gives_404(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    await put_cost(gateway, token, "MUG-12OZ", "12.50")
    first = await gateway.client.delete(
        "/api/unit-costs/MUG-12OZ", headers=bearer(token)
    )
    again = await gateway.client.delete(
        "/api/unit-costs/MUG-12OZ", headers=bearer(token)
    )
    assert first.json()["data"] == {"sku": "MUG-12OZ", "deleted": True}
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"


async def test_list_filters_by_sku_prefix(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    for sku in ("MUG_12OZ", "MUGA-16OZ", "MUG_16OZ", "TEA-1"):
        await put_cost(gateway, token, sku, "2.00")
    response = await gateway.client.get(
        "/api/unit-costs", params={"sku": "MUG_"}, headers=bearer(token)
    )
    data = response.json()["data"]
    assert [item["sku"] for item in data["items"]] == ["MUG_12OZ", "MUG_16OZ"]
    assert data["total"] == 2
    everything = await gateway.client.get(
        "/api/unit-costs", params={"limit": 3}, headers=bearer(token)
    )
    assert everything.json()["data"]["total"] == 4
    assert everything.json()["data"]["has_more"] is True


async def test_costs_are_scoped_to_user(gateway: Gateway) -> None:
    _, owner = await gateway.user_token("amzn1.account.OWNER")
    _, other = await gateway.user_token("amzn1.account.OTHER")
    await put_cost(gateway, owner, "MUG-12OZ", "12.50")
    listing = await gateway.client.get("/api/unit-costs", headers=bearer(other))
    deleted = await gateway.client.delete(
        "/api/unit-costs/MUG-12OZ", headers=bearer(other)
    )
    assert listing.json()["data"]["total"] == 0
    assert deleted.status_code == 404


async def test_cookie_put_without_origin_is_rejected(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    gateway.client.cookies.update({gateway.settings.session_cookie_name: token})
    response = await gateway.client.put(
        "/api/unit-costs/MUG-12OZ", json={"unit_cost": "1.00", "currency": "USD"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert await stored_costs(gateway, user_id) == {}


async def test_import_counts_new_updated_unchanged(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    await put_cost(gateway, token, "KEEP", "3.00")
    await put_cost(gateway, token, "CHANGE", "3.00")
    content = (
        "\ufeffsku,unit_cost,currency\r\n"
        "KEEP,3.00,USD\r\n"
        "CHANGE,3.50,USD\r\n"
        "\r\n"
        "NEW,7.41,EUR\r\n"
    ).encode()
    response = await upload(gateway, token, content)
    assert response.status_code == 200
    assert response.json()["data"] == {"imported": 1, "updated": 1, "unchanged": 1}
    assert await stored_costs(gateway, user_id) == {
        "KEEP": (300, "USD"),
        "CHANGE": (350, "USD"),
        "NEW": (741, "EUR"),
    }
    listing = await gateway.client.get("/api/unit-costs", headers=bearer(token))
    sources = {item["sku"]: item["source"] for item in listing.json()["data"]["items"]}
    assert sources == {"CHANGE": "import", "KEEP": "manual", "NEW": "import"}


async def test_import_defaults_to_marketplace_currency(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    async with gateway.state.sessions() as db:
        await save_amazon_connection(
            db,
            user_id=user_id,
            selling_partner_id="A1SELLER",
            region="NA",
            refresh_token_sealed="sealed",
            marketplaces=[
                {"id": "A2EUQ1WTGCTBG2", "currency": "CAD", "is_participating": True}
            ],
        )
        await db.commit()
    response = await upload(gateway, token, b"unit_cost,sku\n4.20,MAPLE\n")
    assert response.status_code == 200
    assert await stored_costs(gateway, user_id) == {"MAPLE": (420, "CAD")}


async def test_import_with_bad_rows_stores_nothing(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    content = (
        b"sku,unit_cost,currency\nGOOD,1.00,USD\nNEG,-2,USD\n,3.00,XYZ\nSHORT,4.00\n"
    )
    response = await upload(gateway, token, content)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    problems = [(d["line"], d["field"]) for d in error["details"]]
    assert problems == [(3, "unit_cost"), (4, "sku"), (4, "currency"), (5, "row")]
    assert await stored_costs(gateway, user_id) == {}


async def test_import_rejects_duplicate_skus(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    content = b"sku,unit_cost\nMUG,1.00\nTEA,2.00\nMUG,1.50\n"
    response = await upload(gateway, token, content)
    details = response.json()["error"]["details"]
    assert response.status_code == 422
    assert [(d["line"], d["field"]) for d in details] == [(4, "sku")]
    assert "line 2" in details[0]["message"]
    assert await stored_costs(gateway, user_id) == {}


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"sku,cost\nMUG,1.00\n", "header"),
        (b"sku;unit_cost\nMUG;1.00\n", "header"),
        (b"sku,unit_cost\n", "file"),
        (b"", "file"),
        ("sku,unit_cost\nCAF\u00c9,1.00\n".encode("cp1252"), "file"),
    ],
    ids=["unknown-column", "semicolons", "no-rows", "empty", "not-utf8"],
)
async def test_import_rejects_bad_file(
    gateway: Gateway, content: bytes, field: str
) -> None:
    _, token = await gateway.user_token()
    response = await upload(gateway, token, content)
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert [detail["field"] for detail in details] == [field]


async def test_import_over_size_limit_gives_413(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    line = b"SKU-0000000000,1.00\n"
    content = b"sku,unit_cost\n" + line * (MAX_IMPORT_BYTES // len(line) + 1)
    response = await upload(gateway, token, content)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert await stored_costs(gateway, user_id) == {}


async def test_import_without_file_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post(
        "/api/unit-costs/import", headers=bearer(token), data={"other": "x"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"


@pytest.mark.parametrize(
    "unit_cost",
    ["\u0661\u0662.\u0665\u0660", "\uff11\uff12.\uff15\uff10"],
    ids=["arabic-indic", "fullwidth"],
)
async def test_put_rejects_non_ascii_digits(gateway: Gateway, unit_cost: str) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "MUG-12OZ", unit_cost)
    assert response.status_code == 422
    assert "0-9" in response.json()["error"]["details"][0]["message"]
    assert await stored_costs(gateway, user_id) == {}


async def test_import_rejects_non_ascii_digits(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    content = "sku,unit_cost\nMUG,\u0661\u0662\n".encode()
    response = await upload(gateway, token, content)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "unit_cost"
    assert await stored_costs(gateway, user_id) == {}


async def test_put_rejects_undecodable_sku(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "MUG-%FF%FE", "1.00")
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "sku"
    assert "UTF-8" in detail["message"]
    assert await stored_costs(gateway, user_id) == {}


async def test_put_names_invisible_sku_character(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await put_cost(gateway, token, "MUG%C2%A012OZ", "1.00")
    assert response.status_code == 422
    assert "U+00A0" in response.json()["error"]["details"][0]["message"]


async def test_put_number_error_says_send_string(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.put(
        "/api/unit-costs/MUG-12OZ",
        headers=bearer(token),
        json={"unit_cost": 12.5, "currency": "USD"},
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert '"12.50"' in error["details"][0]["message"]
    assert '"12.50"' in error["message"]


async def test_put_trims_currency_spaces(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    response = await put_cost(gateway, token, "MUG-12OZ", "1.00", " usd ")
    assert response.status_code == 200
    assert await stored_costs(gateway, user_id) == {"MUG-12OZ": (100, "USD")}


async def test_delete_empty_sku_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.delete(
        "/api/unit-costs/%20%20", headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "sku"


async def test_import_overlong_value_gives_422(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    await put_cost(gateway, token, "KEEP", "3.00")
    content = b"sku,unit_cost\nOK,1.00\n" + b"A" * 200_000 + b",1.00\n"
    response = await upload(gateway, token, content)
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert [(d["line"], d["field"]) for d in details] == [(3, "file")]
    assert await stored_costs(gateway, user_id) == {"KEEP": (300, "USD")}


async def test_import_unclosed_quote_names_first_line(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    content = b'sku,unit_cost\n"MUG,1.00\nTEA,2.00\n'
    response = await upload(gateway, token, content)
    detail = response.json()["error"]["details"][0]
    assert response.status_code == 422
    assert (detail["line"], detail["field"]) == (2, "row")
    assert "quote" in detail["message"]


async def test_import_single_problem_message_names_it(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await upload(gateway, token, b"")
    message = response.json()["error"]["message"]
    assert message.startswith("Line 1 (file): the file is empty.")
    assert "nothing was imported" in message.lower()


async def test_import_counts_problems_and_lines(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    content = b"sku,unit_cost,currency\n,1.00,XYZ\nGOOD,2.00,USD\nBAD,x,USD\n"
    response = await upload(gateway, token, content)
    message = response.json()["error"]["message"]
    assert message.startswith("The file has 3 problems on 2 lines,")
