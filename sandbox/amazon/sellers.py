"""The sellers the sandbox serves and what each one can report."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .marketplaces import Marketplace

LEDGER_DETAIL = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
CUSTOMER_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"
REMOVAL_ORDERS = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
FEE_PREVIEW = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
REQUESTABLE_REPORT_TYPES = frozenset(
    {
        LEDGER_DETAIL,
        REIMBURSEMENTS,
        CUSTOMER_RETURNS,
        LEDGER_SUMMARY,
        REMOVAL_ORDERS,
        REMOVAL_SHIPMENTS,
        FEE_PREVIEW,
        ALL_ORDERS,
    }
)
"""Report types that createReport accepts for any seller."""
BUILT_IN_REPORT_TYPES = REQUESTABLE_REPORT_TYPES | {SETTLEMENT}

SETTLEMENT_PREFIX = "GET_V2_SETTLEMENT_REPORT_DATA"
"""Settlement report types: Amazon generates them, createReport rejects them."""


@dataclass(frozen=True)
class ReportContent:
    """The bytes of one report document as served for download.

    `body` is already gzip-compressed when `gzip` is true. `charset` goes into
    the download's Content-Type, and None sends none, as for settlement reports.
    """

    body: bytes
    gzip: bool
    charset: str | None


@dataclass(frozen=True)
class ListedReport:
    """A report that Amazon generated on its own schedule, such as a settlement.

    getReports lists it with `created` as its createdTime (None: when the app
    starts), and the data period as dataStartTime and dataEndTime when known.
    """

    report_type: str
    created: datetime | None
    content: ReportContent
    data_start: datetime | None = None
    data_end: datetime | None = None


@dataclass(frozen=True)
class InboundItem:
    """One SKU of an FBA inbound shipment, as getShipmentItemsByShipmentId lists it."""

    seller_sku: str
    fulfillment_network_sku: str
    quantity_shipped: int
    quantity_received: int
    quantity_in_case: int = 0


@dataclass(frozen=True)
class InboundShipment:
    """An FBA inbound shipment plan and its current state.

    `last_updated` is when the seller or Amazon last changed it, which the
    DATE_RANGE query of getShipments filters on.
    """

    shipment_id: str
    shipment_name: str
    status: str
    destination_center: str
    last_updated: datetime
    items: tuple[InboundItem, ...] = field(default=())


class Seller(Protocol):
    """A selling partner whose reports the sandbox serves."""

    @property
    def selling_partner_id(self) -> str:
        """The seller's id, as in the consent callback."""
        ...

    @property
    def name(self) -> str:
        """The store name shown on the consent page and in the Sellers API."""
        ...

    @property
    def marketplace(self) -> Marketplace:
        """The one marketplace the seller participates in."""
        ...

    def report_types(self) -> frozenset[str]:
        """Return the report types this seller has data for."""
        ...

    def build_report(
        self, report_type: str, start: datetime | None, end: datetime | None
    ) -> ReportContent | None:
        """Return the document for a request, or None when it contains no rows.

        `start` and `end` are aware datetimes or None for no bound.
        """
        ...

    def planted_cases(self) -> list[dict[str, Any]] | None:
        """Return the manifest of planted detection cases, or None if not known."""
        ...

    def listed_reports(self) -> Sequence[ListedReport]:
        """Return the reports Amazon generated for the seller without a request."""
        ...

    def inbound_shipments(self) -> Sequence[InboundShipment]:
        """Return the seller's FBA inbound shipments, oldest update first."""
        ...


class SellerRegistry:
    """The sellers of one sandbox app, by selling partner id, in a stable order."""

    def __init__(self, sellers: Sequence[Seller]) -> None:
        self._sellers: dict[str, Seller] = {}
        for seller in sellers:
            if seller.selling_partner_id in self._sellers:
                raise ValueError(
                    f"two sellers have the id {seller.selling_partner_id!r}. "
                    "Set a distinct selling_partner_id in seller.json."
                )
            self._sellers[seller.selling_partner_id] = seller

    def get(self, selling_partner_id: str) -> Seller | None:
        """Return the seller with that id, or None."""
        return self._sellers.get(selling_partner_id)

    def __iter__(self) -> Iterator[Seller]:
        return iter(self._sellers.values())

    def known_report_types(self) -> frozenset[str]:
        """Return the report types createReport accepts: built in or any seller's."""
        types = set(BUILT_IN_REPORT_TYPES)
        for seller in self:
            types.update(seller.report_types())
        return frozenset(types)
