"""Fixtures: a sandbox app on a fake clock behind an in-process httpx client."""

import gzip
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from sandbox.amazon.app import create_app
from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import CONSENT_REDIRECT, LOGIN_REDIRECT, FakeClock, seller_tokens

ANCHOR = date(2026, 7, 6)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> AmazonSandboxConfig:
    return AmazonSandboxConfig(
        redirect_uris=[LOGIN_REDIRECT, CONSENT_REDIRECT],
        processing_delay_seconds=10.0,
        rate_limit_scale=1000.0,
        today=ANCHOR,
    )


@pytest.fixture
async def client(
    config: AmazonSandboxConfig, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(config, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        yield http


@pytest.fixture
async def access_token(client: httpx.AsyncClient, config: AmazonSandboxConfig) -> str:
    """An SP-API access token of the demo seller."""
    _, access = await seller_tokens(client, config)
    return access


@pytest.fixture
def spapi_headers(access_token: str) -> dict[str, str]:
    return {"x-amz-access-token": access_token}


FOLDER_SELLER = "AFOLDEREU01"
REIMBURSEMENTS_CP1252 = (
    "approval-date\treimbursement-id\treason\tsku\tproduct-name\n"
    "2024-11-04T07:12:45+00:00\t2919384756\tLost_Warehouse\tMUG-12OZ\t"
    "Caf\u00e9 Mug \u2013 12oz\n"
).encode("cp1252")
LEDGER_GZIP = gzip.compress(b'"Date"\t"FNSKU"\n"07/06/2026"\t"X004XONY53"\n', mtime=0)
SETTLEMENT = b"settlement-id\ttotal-amount\n12345678\t100.00\n"


@pytest.fixture
def seller_folder(tmp_path: Path) -> Path:
    """A seller folder for the DE marketplace with three report files."""
    folder = tmp_path / "acme-eu"
    folder.mkdir()
    settings = {
        "selling_partner_id": FOLDER_SELLER,
        "name": "Acme EU",
        "marketplace_id": "A1PA6795UKMFR9",
    }
    (folder / "seller.json").write_text(json.dumps(settings))
    (folder / "GET_FBA_REIMBURSEMENTS_DATA.tsv").write_bytes(REIMBURSEMENTS_CP1252)
    (folder / "GET_LEDGER_DETAIL_VIEW_DATA.tsv.gz").write_bytes(LEDGER_GZIP)
    (folder / "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2.txt").write_bytes(SETTLEMENT)
    (folder / "notes.md").write_text("not a report")
    return folder


@pytest.fixture
async def folder_client(
    config: AmazonSandboxConfig, clock: FakeClock, seller_folder: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app that serves the demo seller and the folder seller."""
    config.seller_dirs = [str(seller_folder)]
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        yield http


@pytest.fixture
async def folder_headers(
    folder_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> dict[str, str]:
    _, access = await seller_tokens(folder_client, config, FOLDER_SELLER)
    return {"x-amz-access-token": access}


@pytest.fixture
async def demo_headers(
    folder_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> dict[str, str]:
    _, access = await seller_tokens(folder_client, config)
    return {"x-amz-access-token": access}
