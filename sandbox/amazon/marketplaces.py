"""Amazon marketplaces: ids, time zones, currencies and report charsets."""

import codecs
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace as the Sellers API describes it, plus report facts.

    `charset` is the name Amazon puts in the report download's Content-Type and
    `codec` the Python codec that encodes it.
    """

    id: str
    name: str
    country_code: str
    currency: str
    language: str
    domain: str
    time_zone: str
    region: str
    charset: str

    @property
    def zone(self) -> ZoneInfo:
        """The marketplace's local time zone, in which bare report dates are read."""
        return ZoneInfo(self.time_zone)

    @property
    def codec(self) -> str:
        """The Python codec for `charset`."""
        return codec_for_charset(self.charset)


_UTF8 = "UTF-8"
_CP1252 = "Cp1252"
_SJIS = "windows-31j"

# NOTE: Cp1252 for DE/FR/IT/ES/UK and windows-31j for JP are the charsets seen in
# downloads. The other non-US marketplaces are assumed to send UTF-8.
# fmt: off
_ALL = (
    Marketplace("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "en_US",
                "www.amazon.com", "America/Los_Angeles", "na", _UTF8),
    Marketplace("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "en_CA",
                "www.amazon.ca", "America/Los_Angeles", "na", _UTF8),
    Marketplace("A1AM78C64UM0Y8", "Amazon.com.mx", "MX", "MXN", "es_MX",
                "www.amazon.com.mx", "America/Mexico_City", "na", _UTF8),
    Marketplace("A2Q3Y263D00KWC", "Amazon.com.br", "BR", "BRL", "pt_BR",
                "www.amazon.com.br", "America/Sao_Paulo", "na", _UTF8),
    Marketplace("A1F83G8C2ARO7P", "Amazon.co.uk", "GB", "GBP", "en_GB",
                "www.amazon.co.uk", "Europe/London", "eu", _CP1252),
    Marketplace("A1PA6795UKMFR9", "Amazon.de", "DE", "EUR", "de_DE",
                "www.amazon.de", "Europe/Berlin", "eu", _CP1252),
    Marketplace("A13V1IB3VIYZZH", "Amazon.fr", "FR", "EUR", "fr_FR",
                "www.amazon.fr", "Europe/Paris", "eu", _CP1252),
    Marketplace("APJ6JRA9NG5V4", "Amazon.it", "IT", "EUR", "it_IT",
                "www.amazon.it", "Europe/Rome", "eu", _CP1252),
    Marketplace("A1RKKUPIHCS9HS", "Amazon.es", "ES", "EUR", "es_ES",
                "www.amazon.es", "Europe/Madrid", "eu", _CP1252),
    Marketplace("A1805IZSGTT6HS", "Amazon.nl", "NL", "EUR", "nl_NL",
                "www.amazon.nl", "Europe/Amsterdam", "eu", _UTF8),
    Marketplace("A2NODRKZP88ZB9", "Amazon.se", "SE", "SEK", "sv_SE",
                "www.amazon.se", "Europe/Stockholm", "eu", _UTF8),
    Marketplace("A1C3SOZRARQ6R3", "Amazon.pl", "PL", "PLN", "pl_PL",
                "www.amazon.pl", "Europe/Warsaw", "eu", _UTF8),
    Marketplace("AMEN7PMS3EDWL", "Amazon.com.be", "BE", "EUR", "fr_BE",
                "www.amazon.com.be", "Europe/Brussels", "eu", _UTF8),
    Marketplace("A21TJRUUN4KGV", "Amazon.in", "IN", "INR", "en_IN",
                "www.amazon.in", "Asia/Kolkata", "eu", _UTF8),
    Marketplace("A1VC38T7YXB528", "Amazon.co.jp", "JP", "JPY", "ja_JP",
                "www.amazon.co.jp", "Asia/Tokyo", "fe", _SJIS),
    Marketplace("A39IBJ37TRP1C6", "Amazon.com.au", "AU", "AUD", "en_AU",
                "www.amazon.com.au", "Australia/Sydney", "fe", _UTF8),
    Marketplace("A19VAU5U5O7RUS", "Amazon.sg", "SG", "SGD", "en_SG",
                "www.amazon.sg", "Asia/Singapore", "fe", _UTF8),
)
# fmt: on

MARKETPLACES: dict[str, Marketplace] = {m.id: m for m in _ALL}
"""Known marketplaces by marketplace id."""

US = MARKETPLACES["ATVPDKIKX0DER"]

_CODECS = {
    "utf-8": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "windows-31j": "cp932",
    "shift_jis": "cp932",
}


def codec_for_charset(charset: str) -> str:
    """Map a Content-Type charset name to a Python codec.

    Raises LookupError for a charset Python cannot encode.
    """
    codec = _CODECS.get(charset.lower(), charset)
    return codecs.lookup(codec).name
