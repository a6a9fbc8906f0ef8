"""Claim-detection engine: finds money Amazon owes a seller in normalized report data.

The engine reads the tables it is handed (Arrow tables or Parquet files) with DuckDB
and returns findings. It opens no network or database connection of its own.
"""

from detection.engine import run_detection
from detection.models import (
    DetectionInput,
    DetectionResult,
    DetectionSettings,
    DetectionTotals,
    EvidenceRow,
    Finding,
    Resolution,
    TableSource,
    TypeTotals,
)

__all__ = [
    "DetectionInput",
    "DetectionResult",
    "DetectionSettings",
    "DetectionTotals",
    "EvidenceRow",
    "Finding",
    "Resolution",
    "TableSource",
    "TypeTotals",
    "run_detection",
]
