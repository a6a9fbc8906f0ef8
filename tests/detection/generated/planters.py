"""Discovery of the planter modules: every `plant_*` module of this package.

Each planter module defines `TYPES` (the finding types it plants) and
`plant(seller)`, which adds claimable cases and look-alikes to the seller.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.detection.generated.seller import GeneratedSeller


@dataclass(frozen=True)
class Planter:
    name: str
    types: tuple[str, ...]
    plant: Callable[[GeneratedSeller], None]


def planters() -> list[Planter]:
    """Return every planter module of the package, sorted by name."""
    found: list[Planter] = []
    package = Path(__file__).parent
    for module_info in sorted(pkgutil.iter_modules([str(package)]), key=str):
        if not module_info.name.startswith("plant_"):
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        found.append(Planter(module_info.name, tuple(module.TYPES), module.plant))
    return found
