"""Sellers served from folders of downloaded report files."""

import json
from pathlib import Path

import httpx
import pytest

from sandbox.amazon.folder import folder_seller_id, load_folder_seller

from .conftest import FOLDER_SELLER, LEDGER_GZIP, REIMBURSEMENTS_CP1252, SETTLEMENT
from .helpers import REPORTS, FakeClock

DE = "A1PA6795UKMFR9"


async def finished(
    client: httpx.AsyncClient, headers: dict[str, str], clock: FakeClock, kind: str
) -> dict[str, object]:
    created = await client.post(
        f"{REPORTS}/reports",
        json={"reportType": kind, "marketplaceIds": [DE]},
        headers=headers,
    )
    clock.advance(10)
    path = f"{REPORTS}/reports/{created.json()['reportId']}"
    return dict((await client.get(path, headers=headers)).json())


async def fetch(
    client: httpx.AsyncClient, headers: dict[str, str], document_id: object
) -> tuple[dict[str, str], httpx.Response]:
    meta = await client.get(f"{REPORTS}/documents/{document_id}", headers=headers)
    return meta.json(), await client.get(meta.json()["url"])


async def test_consent_page_lists_folder_seller(
    folder_client: httpx.AsyncClient,
) -> None:
    page = await folder_client.get(
        "/apps/authorize/consent",
        params={"application_id": "amzn1.sp.solution.clariosandbox", "state": "s"},
    )
    assert FOLDER_SELLER in page.text
    assert "Acme EU" in page.text
    assert "A1CLARIODEMO01" in page.text


async def test_folder_participation_is_its_marketplace(
    folder_client: httpx.AsyncClient, folder_headers: dict[str, str]
) -> None:
    response = await folder_client.get(
        "/sellers/v1/marketplaceParticipations", headers=folder_headers
    )
    assert response.json()["payload"][0]["marketplace"]["id"] == DE


async def test_plain_file_served_unchanged_with_charset(
    folder_client: httpx.AsyncClient,
    folder_headers: dict[str, str],
    clock: FakeClock,
) -> None:
    report = await finished(
        folder_client, folder_headers, clock, "GET_FBA_REIMBURSEMENTS_DATA"
    )
    meta, body = await fetch(folder_client, folder_headers, report["reportDocumentId"])
    assert body.content == REIMBURSEMENTS_CP1252
    assert body.headers["content-type"] == "text/tab-separated-values; charset=Cp1252"
    assert "compressionAlgorithm" not in meta


async def test_gz_file_served_unchanged_as_gzip(
    folder_client: httpx.AsyncClient,
    folder_headers: dict[str, str],
    clock: FakeClock,
) -> None:
    report = await finished(
        folder_client, folder_headers, clock, "GET_LEDGER_DETAIL_VIEW_DATA"
    )
    meta, body = await fetch(folder_client, folder_headers, report["reportDocumentId"])
    assert body.content == LEDGER_GZIP
    assert meta["compressionAlgorithm"] == "GZIP"
    assert str(report["reportDocumentId"]).startswith("amzn1.spdoc.1.4.eu.")


async def test_type_without_file_is_cancelled(
    folder_client: httpx.AsyncClient,
    folder_headers: dict[str, str],
    clock: FakeClock,
) -> None:
    report = await finished(
        folder_client,
        folder_headers,
        clock,
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    )
    assert report["processingStatus"] == "CANCELLED"


async def test_settlement_file_is_listed_by_get_reports(
    folder_client: httpx.AsyncClient, folder_headers: dict[str, str]
) -> None:
    kind = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
    listing = await folder_client.get(
        f"{REPORTS}/reports", params={"reportTypes": kind}, headers=folder_headers
    )
    reports = listing.json()["reports"]
    _, body = await fetch(folder_client, folder_headers, reports[0]["reportDocumentId"])
    assert len(reports) == 1
    assert reports[0]["processingStatus"] == "DONE"
    assert body.content == SETTLEMENT


async def test_demo_seller_sees_no_folder_settlements(
    folder_client: httpx.AsyncClient, demo_headers: dict[str, str]
) -> None:
    listing = await folder_client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"},
        headers=demo_headers,
    )
    reports = listing.json()["reports"]
    bodies = [
        (await fetch(folder_client, demo_headers, r["reportDocumentId"]))[1].content
        for r in reports
    ]
    assert len(reports) == 7
    assert SETTLEMENT not in bodies


async def test_sellers_listing_names_sources(folder_client: httpx.AsyncClient) -> None:
    sellers = (await folder_client.get("/_sandbox/sellers")).json()
    sources = {seller["selling_partner_id"]: seller["source"] for seller in sellers}
    assert sources == {"A1CLARIODEMO01": "demo", FOLDER_SELLER: "folder"}


async def test_folder_seller_has_no_manifest(folder_client: httpx.AsyncClient) -> None:
    response = await folder_client.get(f"/_sandbox/sellers/{FOLDER_SELLER}/planted")
    assert response.status_code == 404


def test_defaults_without_seller_json(tmp_path: Path) -> None:
    folder = tmp_path / "my-shop_2"
    folder.mkdir()
    (folder / "GET_FBA_REIMBURSEMENTS_DATA.txt").write_bytes(b"x\n")
    seller = load_folder_seller(folder)
    assert seller.selling_partner_id == "AMYSHOP2"
    assert seller.name == "my-shop_2"
    assert seller.marketplace.id == "ATVPDKIKX0DER"
    assert seller.report_types() == {"GET_FBA_REIMBURSEMENTS_DATA"}


def test_charset_from_seller_json(tmp_path: Path) -> None:
    (tmp_path / "seller.json").write_text(json.dumps({"charset": "UTF-8"}))
    (tmp_path / "GET_FBA_REIMBURSEMENTS_DATA.tsv").write_bytes(b"x\n")
    content = load_folder_seller(tmp_path).build_report(
        "GET_FBA_REIMBURSEMENTS_DATA", None, None
    )
    assert content is not None
    assert content.charset == "UTF-8"


def test_seller_id_from_folder_name(tmp_path: Path) -> None:
    assert folder_seller_id(tmp_path / "---") == "AFOLDERSELLER"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"seller.json": "{not json"}, "not valid JSON"),
        ({"seller.json": '{"marketplace_id": "XX"}'}, "unknown marketplace_id"),
        ({"seller.json": '{"charset": "klingon"}'}, "unknown charset"),
        ({"GET_X.tsv": "a", "GET_X.csv.gz": "b"}, "two files for GET_X"),
    ],
    ids=["bad-json", "bad-marketplace", "bad-charset", "duplicate-type"],
)
def test_invalid_folder_is_rejected(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ValueError, match=message):
        load_folder_seller(tmp_path)


def test_missing_folder_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        load_folder_seller(tmp_path / "absent")


def test_labelled_settlement_files_each_listed(tmp_path: Path) -> None:
    kind = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
    (tmp_path / f"{kind}.2026-06-04.txt").write_bytes(b"settlement-id\n1\n")
    (tmp_path / f"{kind}.2026-06-18.txt.gz").write_bytes(LEDGER_GZIP)
    (tmp_path / "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA.txt").write_bytes(b"sku\n")
    seller = load_folder_seller(tmp_path)
    listed = seller.listed_reports()
    assert [report.report_type for report in listed] == [kind, kind]
    assert [report.content.body for report in listed] == [
        b"settlement-id\n1\n",
        LEDGER_GZIP,
    ]
    assert [report.content.gzip for report in listed] == [False, True]
    assert {report.content.charset for report in listed} == {None}
    assert "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA" in seller.report_types()


def test_labelled_other_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "GET_FBA_REIMBURSEMENTS_DATA.june.tsv").write_bytes(b"x\n")
    with pytest.raises(ValueError, match="only settlement files"):
        load_folder_seller(tmp_path)


async def test_folder_settlement_sent_without_charset(
    folder_client: httpx.AsyncClient, folder_headers: dict[str, str]
) -> None:
    listing = await folder_client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"},
        headers=folder_headers,
    )
    document_id = listing.json()["reports"][0]["reportDocumentId"]
    _, body = await fetch(folder_client, folder_headers, document_id)
    assert body.headers["content-type"] == "text/tab-separated-values"
