"""Turn a downloaded report document's bytes into text."""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass

from integrations.amazon.reports.errors import ReportDecodeError
from integrations.amazon.reports.marketplaces import Region

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"

# Charset names from Content-Type headers, lower-cased, mapped to Python codecs.
# ISO-8859-1 and US-ASCII labels decode as Windows-1252, as the WHATWG Encoding
# Standard prescribes, because Windows-1252 files are often labelled that way.
_CHARSETS: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    # Amazon's Japanese files are Windows-31J, a superset of Shift_JIS. Decoding
    # them as shift_jis fails on characters such as the circled digits.
    "windows-31j": "cp932",
    "cp932": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "cswindows31j": "cp932",
}

_REGION_CODECS: dict[str, str] = {
    Region.NA: "cp1252",
    Region.EU: "cp1252",
    Region.FE: "cp932",
}


@dataclass(frozen=True, slots=True)
class DecodedDocument:
    """A report document as text.

    ``encoding`` is the Python codec that decoded it, and ``was_gzip`` is true when
    the bytes were gzip-compressed.
    """

    text: str
    encoding: str
    was_gzip: bool


def decode_document(
    data: bytes,
    *,
    report_type: str,
    content_type: str | None,
    compression_algorithm: str | None,
    region: str,
) -> DecodedDocument:
    """Decompress and decode a downloaded report document.

    The bytes are gunzipped when they start with the gzip magic bytes 1f 8b,
    regardless of ``compression_algorithm``, because Amazon has sent plain text
    flagged as GZIP. The charset of ``content_type`` is used when present.
    Without one, the text is decoded as strict UTF-8 and then as the region's legacy
    codec (Windows-1252 for NA and EU, Windows-31J for FE). A leading UTF-8 byte
    order mark is removed.

    Raises:
        ReportDecodeError: the gzip stream is corrupt, the charset is unknown, the
            bytes are invalid in every codec tried, or the text contains NUL
            characters. The message names the report type.
        ValueError: ``region`` is not NA, EU or FE.
    """
    if region not in _REGION_CODECS:
        raise ValueError(f"unknown SP-API region {region!r}; expected NA, EU or FE")

    was_gzip = data.startswith(_GZIP_MAGIC)
    if was_gzip:
        data = _gunzip(data, report_type)
    elif compression_algorithm is not None:
        logger.info(
            "%s document is flagged %s but is not gzip data, so it is read as plain",
            report_type,
            compression_algorithm,
        )

    charset = _charset_from_content_type(content_type)
    if charset is not None:
        text, encoding = _decode_declared(data, charset, report_type)
    else:
        text, encoding = _decode_undeclared(data, _REGION_CODECS[region], report_type)

    if "\x00" in text:
        raise ReportDecodeError(
            f"{report_type} document decoded as {encoding} contains NUL characters, "
            "so it is binary or in an unsupported encoding such as UTF-16",
            report_type=report_type,
        )
    return DecodedDocument(text.removeprefix("\ufeff"), encoding, was_gzip)


def _gunzip(data: bytes, report_type: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReportDecodeError(
            f"{report_type} document starts like gzip data but cannot be "
            f"decompressed: {exc}",
            report_type=report_type,
        ) from None


def _charset_from_content_type(content_type: str | None) -> str | None:
    """Return the lower-cased charset parameter of a Content-Type value, if any."""
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').strip("'").strip()
            return charset.lower() or None
    return None


def _decode_declared(data: bytes, charset: str, report_type: str) -> tuple[str, str]:
    codec = _CHARSETS.get(charset)
    if codec is None:
        raise ReportDecodeError(
            f"{report_type} document has an unsupported charset {charset!r} in its "
            "Content-Type; supported: UTF-8, Windows-1252 (Cp1252) and "
            "Windows-31J (cp932)",
            report_type=report_type,
        )
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError as exc:
        raise ReportDecodeError(
            f"{report_type} document is not valid {charset} as its Content-Type "
            f"declares: {_describe(exc)}",
            report_type=report_type,
        ) from None


def _decode_undeclared(
    data: bytes, legacy_codec: str, report_type: str
) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = _describe(exc)

    try:
        text = data.decode(legacy_codec)
    except UnicodeDecodeError as exc:
        raise ReportDecodeError(
            f"{report_type} document has no charset and is neither UTF-8 "
            f"({utf8_error}) nor {legacy_codec} ({_describe(exc)})",
            report_type=report_type,
        ) from None

    logger.debug("%s document is not UTF-8; decoded as %s", report_type, legacy_codec)
    return text, legacy_codec


def _describe(exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.end].hex(" ")
    return f"invalid byte(s) {bad} at offset {exc.start}"
