"""Sellers served from folders of report files downloaded from Seller Central.

A folder contains `<REPORT_TYPE>.<ext>` files (ext tsv, txt or csv, with `.gz`
appended for a gzip document) and an optional seller.json with
"selling_partner_id", "name", "marketplace_id" and "charset". Files are served
byte for byte, without date filtering, since their layout is not known.

Settlement reports may come as several files, one per settlement period, named
`<REPORT_TYPE>.<label>.<ext>` (for example
GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2.2026-06-18.txt). getReports lists
each one, and they are sent without a charset, as Amazon sends settlement files.
"""

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .marketplaces import MARKETPLACES, US, Marketplace, codec_for_charset
from .sellers import (
    SETTLEMENT_PREFIX,
    InboundShipment,
    ListedReport,
    ReportContent,
)

logger = logging.getLogger(__name__)

_REPORT_FILE = re.compile(
    r"^(?P<type>[A-Z][A-Z0-9_]+)(\.(?P<label>[A-Za-z0-9_-]+))?"
    r"\.(tsv|txt|csv)(?P<gz>\.gz)?$"
)
_SELLER_FILE = "seller.json"


@dataclass(frozen=True)
class _ReportFile:
    report_type: str
    path: Path
    gzip: bool


def folder_seller_id(folder: Path) -> str:
    """Derive a selling partner id from a folder name: "A" + its letters and digits."""
    letters = re.sub(r"[^A-Z0-9]", "", folder.resolve().name.upper())
    return ("A" + letters)[:14] if letters else "AFOLDERSELLER"


class FolderSeller:
    """A seller whose reports are the files in one folder."""

    def __init__(
        self,
        folder: Path,
        selling_partner_id: str,
        name: str,
        marketplace: Marketplace,
        charset: str,
        files: dict[str, _ReportFile],
        settlements: list[_ReportFile] | None = None,
    ) -> None:
        self.folder = folder
        self._id = selling_partner_id
        self._name = name
        self._marketplace = marketplace
        self._charset = charset
        self._files = files
        self._settlements = settlements or []

    @property
    def selling_partner_id(self) -> str:
        """From seller.json, else derived from the folder name."""
        return self._id

    @property
    def name(self) -> str:
        """From seller.json, else the folder name."""
        return self._name

    @property
    def marketplace(self) -> Marketplace:
        """From seller.json, else the US marketplace."""
        return self._marketplace

    def report_types(self) -> frozenset[str]:
        """Return the report types that have a file."""
        return frozenset(self._files)

    def listed_reports(self) -> list[ListedReport]:
        """Return one DONE settlement report per settlement file, in name order.

        Each is created when the app starts, whatever period the file covers.
        Raises OSError when a file cannot be read.
        """
        return [
            ListedReport(
                report_type=entry.report_type,
                created=None,
                content=ReportContent(entry.path.read_bytes(), entry.gzip, None),
            )
            for entry in self._settlements
        ]

    def inbound_shipments(self) -> list[InboundShipment]:
        """Folder sellers have no inbound shipments."""
        return []

    def build_report(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> ReportContent | None:
        """Return the file's bytes unchanged, or None when there is no file.

        The file is read at each request, so edits show in the next report.
        `start` and `end` are ignored. Raises OSError when the file cannot be read.
        """
        entry = self._files.get(report_type)
        if entry is None:
            return None
        charset = None if report_type.startswith(SETTLEMENT_PREFIX) else self._charset
        return ReportContent(entry.path.read_bytes(), entry.gzip, charset)

    def planted_cases(self) -> list[dict[str, Any]] | None:
        """Folder sellers have no manifest."""
        return None


def load_folder_seller(folder: str | Path) -> FolderSeller:
    """Read a seller folder.

    Raises ValueError for a missing folder, an invalid seller.json (bad JSON,
    unknown marketplace_id, unknown charset) or two files of one report type.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ValueError(f"seller folder {path} does not exist or is not a folder")
    settings = _read_settings(path)
    market_id = settings.get("marketplace_id", US.id)
    marketplace = MARKETPLACES.get(market_id)
    if marketplace is None:
        raise ValueError(f"{path / _SELLER_FILE}: unknown marketplace_id {market_id!r}")
    charset = settings.get("charset", marketplace.charset)
    try:
        codec_for_charset(charset)
    except LookupError:
        raise ValueError(
            f"{path / _SELLER_FILE}: unknown charset {charset!r}"
        ) from None
    files, settlements = _report_files(path)
    seller = FolderSeller(
        folder=path,
        selling_partner_id=settings.get("selling_partner_id", folder_seller_id(path)),
        name=settings.get("name", path.resolve().name),
        marketplace=marketplace,
        charset=charset,
        files=files,
        settlements=settlements,
    )
    logger.info(
        "folder seller %s from %s serves %s",
        seller.selling_partner_id,
        path,
        sorted(seller.report_types()),
    )
    return seller


def _read_settings(folder: Path) -> dict[str, str]:
    settings_path = folder / _SELLER_FILE
    if not settings_path.exists():
        return {}
    try:
        raw = json.loads(settings_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{settings_path} is not valid JSON: {error}") from None
    if not isinstance(raw, dict) or not all(
        isinstance(value, str) and value for value in raw.values()
    ):
        raise ValueError(f"{settings_path} must be an object of non-empty strings")
    return raw


def _report_files(folder: Path) -> tuple[dict[str, _ReportFile], list[_ReportFile]]:
    """Return the files by report type and the settlement files in name order.

    Raises ValueError for two files of one report type other than settlement
    files, and for a labelled file of another report type.
    """
    files: dict[str, _ReportFile] = {}
    settlements: list[_ReportFile] = []
    for path in sorted(folder.iterdir()):
        match = _REPORT_FILE.match(path.name)
        if not path.is_file() or path.name == _SELLER_FILE:
            continue
        if match is None:
            logger.warning(
                "ignoring %s: not named <REPORT_TYPE>.tsv|txt|csv[.gz]", path
            )
            continue
        report_type = match["type"]
        entry = _ReportFile(report_type, path, match["gz"] is not None)
        if report_type.startswith(SETTLEMENT_PREFIX):
            settlements.append(entry)
            files.setdefault(report_type, entry)
            continue
        if match["label"] is not None:
            raise ValueError(
                f"{path}: only settlement files may carry a label before the "
                f"extension; name it {report_type}.tsv"
            )
        if report_type in files:
            raise ValueError(
                f"{folder} has two files for {report_type}: "
                f"{files[report_type].path.name} and {path.name}"
            )
        files[report_type] = entry
    return files, settlements
