"""Tests for decode_document: gzip detection, charsets and fallbacks."""

from __future__ import annotations

import gzip

import pytest

from integrations.amazon.reports import (
    DecodedDocument,
    ReportDecodeError,
    decode_document,
)

REPORT = "GET_FBA_REIMBURSEMENTS_DATA"
TEXT = "sku\tproduct-name\nMUG-12OZ\tCafé Mug \u2013 12oz\n"


def _decode(
    data: bytes,
    *,
    content_type: str | None = None,
    compression_algorithm: str | None = None,
    region: str = "NA",
) -> DecodedDocument:
    return decode_document(
        data,
        report_type=REPORT,
        content_type=content_type,
        compression_algorithm=compression_algorithm,
        region=region,
    )


def test_plain_utf8_without_charset() -> None:
    decoded = _decode(TEXT.encode())
    assert decoded.text == TEXT
    assert decoded.encoding == "utf-8"
    assert not decoded.was_gzip


def test_gzip_detected_by_magic_bytes() -> None:
    decoded = _decode(gzip.compress(TEXT.encode()))
    assert decoded.was_gzip
    assert decoded.text == TEXT


def test_gzip_flag_on_plain_bytes_ignored() -> None:
    decoded = _decode(TEXT.encode(), compression_algorithm="GZIP")
    assert not decoded.was_gzip
    assert decoded.text == TEXT


def test_corrupt_gzip_rejected() -> None:
    with pytest.raises(ReportDecodeError) as caught:
        _decode(b"\x1f\x8b" + b"not a gzip stream", compression_algorithm="GZIP")
    assert caught.value.report_type == REPORT
    assert REPORT in caught.value.message
    assert "cannot be decompressed" in caught.value.message


def test_truncated_gzip_rejected() -> None:
    data = gzip.compress(TEXT.encode())[:-12]
    with pytest.raises(ReportDecodeError, match="cannot be decompressed"):
        _decode(data)


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        ("text/plain;charset=Cp1252", "cp1252"),
        ("text/plain; charset=windows-1252", "cp1252"),
        ("text/plain; charset=ISO-8859-1", "cp1252"),
        ("text/plain; charset=windows-31j", "cp932"),
        ("text/plain; charset=Shift_JIS", "cp932"),
        ('text/plain; charset="UTF-8"', "utf-8"),
        ("text/plain; format=flowed; CHARSET=utf8", "utf-8"),
    ],
    ids=[
        "cp1252",
        "windows-1252",
        "latin1",
        "windows-31j",
        "shift-jis",
        "quoted",
        "upper",
    ],
)
def test_charset_names_mapped(content_type: str, encoding: str) -> None:
    decoded = _decode(b"sku\n", content_type=content_type)
    assert decoded.encoding == encoding


def test_windows31j_decodes_nec_characters() -> None:
    data = "番号①\n".encode("cp932")
    decoded = _decode(data, content_type="text/plain;charset=windows-31j", region="FE")
    assert decoded.text == "番号①\n"


def test_content_type_without_charset_falls_back() -> None:
    decoded = _decode(TEXT.encode("cp1252"), content_type="text/plain")
    assert decoded.encoding == "cp1252"
    assert decoded.text == TEXT


@pytest.mark.parametrize("region", ["NA", "EU"], ids=str)
def test_western_region_falls_back_to_cp1252(region: str) -> None:
    decoded = _decode(TEXT.encode("cp1252"), region=region)
    assert decoded.encoding == "cp1252"
    assert decoded.text == TEXT


def test_far_east_region_falls_back_to_cp932() -> None:
    text = "sku\tproduct-name\nMUG\t①マグカップ\n"
    decoded = _decode(text.encode("cp932"), region="FE")
    assert decoded.encoding == "cp932"
    assert decoded.text == text


def test_unknown_charset_rejected() -> None:
    with pytest.raises(ReportDecodeError) as caught:
        _decode(b"sku\n", content_type="text/plain; charset=KOI8-R")
    assert "'koi8-r'" in caught.value.message
    assert REPORT in caught.value.message


def test_bytes_invalid_in_declared_charset_rejected() -> None:
    with pytest.raises(ReportDecodeError, match="not valid utf-8"):
        _decode(TEXT.encode("cp1252"), content_type="text/plain; charset=UTF-8")


def test_undecodable_document_rejected() -> None:
    # 0x81 is invalid in UTF-8 and unassigned in Windows-1252.
    with pytest.raises(ReportDecodeError) as caught:
        _decode(b"sku\nMUG\x81\n")
    message = caught.value.message
    assert REPORT in message
    assert "neither UTF-8" in message
    assert "cp1252" in message


def test_undecodable_far_east_document_rejected() -> None:
    with pytest.raises(ReportDecodeError, match="cp932"):
        _decode(b"sku\nMUG\x81", region="FE")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain; charset=UTF-8"], ids=["sniffed", "declared"]
)
def test_utf8_bom_stripped(content_type: str | None) -> None:
    decoded = _decode(b"\xef\xbb\xbf" + TEXT.encode(), content_type=content_type)
    assert decoded.text == TEXT


def test_utf16_document_rejected() -> None:
    with pytest.raises(ReportDecodeError, match="NUL characters"):
        _decode(TEXT.encode("utf-16"))


def test_unknown_region_rejected() -> None:
    with pytest.raises(ValueError, match="unknown SP-API region"):
        _decode(TEXT.encode(), region="XX")
