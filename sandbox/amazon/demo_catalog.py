"""The demo seller's products and the id formats Amazon uses in its reports."""

import random
import string
from dataclasses import dataclass
from decimal import Decimal

_ALNUM = string.ascii_uppercase + string.digits
_FULFILLMENT_CENTERS = ("ONT8", "LGB8", "PHX7", "SMF3", "BFI4", "MDW2", "ACY1", "TEB9")

# Titles with accents, dashes (U+2013) and curly quotes (U+2019) make the text
# encoding matter.
_PRODUCTS = (
    ("MUG", "Café Mug \u2013 12oz Stoneware"),
    ("BOT", "Insulated Water Bottle 750ml"),
    ("TOR", "Crème Brûlée Kitchen Torch"),
    ("YOG", "Cork Yoga Block (Set of 2)"),
    ("LAM", "Desk Lamp with USB-C Port"),
    ("KNF", "Chef\u2019s Knife 8in Damascus"),
    ("TEA", "Matcha Whisk & Bowl Set"),
    ("PAN", "Cast Iron Skillet 10in"),
    ("BAG", "Waxed Canvas Tote \u2013 Olive"),
    ("PEN", "Fountain Pen Fine Nib"),
    ("JAR", "Glass Storage Jars 6-Pack"),
    ("SOC", "Merino Hiking Socks L"),
    ("CUT", "Bamboo Cutting Board XL"),
    ("SPK", "Bluetooth Shower Speaker"),
    ("NOT", "Dotted Notebook A5 Kraft"),
    ("CAN", "Soy Candle Piña Colada"),
    ("BRU", "Pour-Over Coffee Dripper"),
    ("MAT", "Non-Slip Bath Mat Grey"),
    ("FRM", "Oak Picture Frame 8x10"),
    ("TWL", "Turkish Cotton Towel Set"),
    ("HNG", "Velvet Hangers 30-Pack"),
    ("PLT", "Ceramic Planter \u2013 Terracotta"),
)

MAX_PRODUCTS = len(_PRODUCTS)

# Products of the cases beyond lost and damaged inventory. They come from their
# own random generator, so adding them leaves the first catalog unchanged.
_CLAIM_PRODUCTS = (
    ("KET", "Electric Kettle 1.7L"),
    ("GRN", "Burr Coffee Grinder"),
    ("SCL", "Kitchen Scale \u2013 Glass"),
    ("LUN", "Bento Lunch Box"),
    ("PIL", "Memory Foam Pillow"),
    ("BLK", "Wool Throw Blanket"),
    ("CLK", "Wall Clock Walnut"),
    ("UMB", "Compact Travel Umbrella"),
    ("WAL", "Leather Card Wallet"),
    ("BEL", "Canvas Belt \u2013 Navy"),
    ("GLV", "Touchscreen Gloves M"),
    ("SCF", "Cashmere Scarf Grey"),
    ("BOW", "Salad Bowl Acacia"),
    ("SPN", "Wooden Spoon Set"),
    ("TRY", "Serving Tray Oak"),
    ("OIL", "Olive Oil Cruet 500ml"),
    ("GRT", "Box Grater Steel"),
    ("PEL", "Peeler Duo"),
    ("RAC", "Dish Drying Rack"),
    ("SOA", "Soap Dispenser Matte"),
    ("BRS", "Bottle Brush Set"),
    ("TIM", "Kitchen Timer R\u00e9tro"),
    ("APR", "Linen Apron \u2013 Rust"),
    ("MIT", "Oven Mitts Pair"),
    ("COS", "Cork Coasters 8-Pack"),
    ("NAP", "Cloth Napkins 4-Pack"),
    ("CHS", "Cheese Knife Trio"),
    ("TON", "Silicone Tongs 12in"),
    ("FUN", "Funnel Set Steel"),
    ("SIE", "Fine Mesh Sieve"),
)

MAX_CLAIM_PRODUCTS = len(_CLAIM_PRODUCTS)


@dataclass(frozen=True)
class Product:
    """One SKU of the demo seller, with Amazon's reimbursement value as `unit_cost`."""

    fnsku: str
    asin: str
    msku: str
    title: str
    unit_cost: Decimal
    home_center: str
    daily_sales: float


class IdSource:
    """Unique ids in Amazon's formats, drawn from one random generator."""

    def __init__(self, rng: random.Random, used: set[str] | None = None) -> None:
        self._rng = rng
        self._used: set[str] = set() if used is None else used

    def with_generator(self, rng: random.Random) -> "IdSource":
        """Return a source that draws from `rng` but never repeats an id of this one."""
        return IdSource(rng, self._used)

    def _unique(self, pattern: str) -> str:
        """Fill `pattern` ("9" a digit, "?" a letter or digit) with an unused value."""
        while True:
            value = "".join(self._draw(char) for char in pattern)
            if value not in self._used:
                self._used.add(value)
                return value

    def _draw(self, char: str) -> str:
        if char == "9":
            return self._rng.choice(string.digits)
        if char == "?":
            return self._rng.choice(_ALNUM)
        return char

    def fnsku(self) -> str:
        """Return a new FBA network SKU such as X00AB12CD3."""
        return self._unique("X00???????")

    def asin(self) -> str:
        """Return a new ASIN such as B0AB12CD34."""
        return self._unique("B0????????")

    def reference_id(self) -> str:
        """Return a new adjustment Reference ID of eight digits."""
        return str(self._rng.randint(1, 9)) + self._unique("9999999")

    def reimbursement_id(self) -> str:
        """Return a new reimbursement id of ten digits."""
        return str(self._rng.randint(1, 9)) + self._unique("999999999")

    def case_id(self) -> str:
        """Return a new Seller Support case id of ten digits."""
        return "1" + self._unique("999999999")

    def order_id(self) -> str:
        """Return a new Amazon order id such as 113-1234567-1234567."""
        return self._unique("199-9999999-9999999")

    def shipment_id(self) -> str:
        """Return a new FBA inbound shipment id such as FBA15ABCD123."""
        return self._unique("FBA15???????")

    def outbound_id(self) -> str:
        """Return a new outbound (customer) shipment id such as DAB12CD34E."""
        return self._unique("D?????????")

    def transfer_id(self) -> str:
        """Return a new warehouse transfer id of ten digits."""
        return "7" + self._unique("999999999")

    def license_plate(self) -> str:
        """Return a new license plate number such as LPNRR1234567890."""
        return self._unique("LPNRR9999999999")

    def removal_order_id(self) -> str:
        """Return a new removal order id such as 7QXD2M1K9A."""
        return self._unique("??????????")

    def settlement_id(self) -> str:
        """Return a new settlement id of eleven digits."""
        return "2" + self._unique("9999999999")

    def order_item_code(self) -> str:
        """Return a new order item code of fourteen digits."""
        return "5" + self._unique("9999999999999")

    def adjustment_id(self) -> str:
        """Return a new refund adjustment id such as amzn1:crow:AB12CD34EF."""
        return "amzn1:crow:" + self._unique("??????????")

    def tracking_number(self) -> str:
        """Return a new UPS-style tracking number such as 1Z9999W99999999999."""
        return self._unique("1Z999W9999999999")


def make_catalog(
    rng: random.Random, ids: IdSource, count: int, *, claims: bool = False
) -> list[Product]:
    """Create `count` products with seeded values.

    The first catalog has at most MAX_PRODUCTS. With `claims` the products come
    from the second list (at most MAX_CLAIM_PRODUCTS), numbered after the first.
    """
    titles = _CLAIM_PRODUCTS if claims else _PRODUCTS
    if not 0 < count <= len(titles):
        raise ValueError(f"count must be from 1 to {len(titles)}, got {count}")
    first_number = MAX_PRODUCTS + 1 if claims else 1
    products = []
    for index, (code, title) in enumerate(titles[:count]):
        cents = rng.randint(600, 4200)
        products.append(
            Product(
                fnsku=ids.fnsku(),
                asin=ids.asin(),
                msku=f"CL-{code}-{index + first_number:02d}",
                title=title,
                unit_cost=Decimal(cents) / 100,
                home_center=rng.choice(_FULFILLMENT_CENTERS),
                daily_sales=round(rng.uniform(0.4, 2.2), 2),
            )
        )
    return products


def other_center(rng: random.Random, center: str) -> str:
    """Pick a fulfillment center other than `center`."""
    return rng.choice([fc for fc in _FULFILLMENT_CENTERS if fc != center])
