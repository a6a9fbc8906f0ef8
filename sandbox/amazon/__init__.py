"""Local stand-in for Login with Amazon, Seller Central consent and SP-API.

It imports nothing else from this repository, so a client bug cannot hide behind
the same bug here. Start it with `python -m sandbox` or build it with
`create_app(AmazonSandboxConfig(...))`.
"""

from .app import create_app
from .config import AmazonSandboxConfig
from .demo import (
    DEMO_SELLER_ID,
    DemoDataset,
    demo_report_files,
    generate_demo,
    planted_manifest,
)

__all__ = [
    "DEMO_SELLER_ID",
    "AmazonSandboxConfig",
    "DemoDataset",
    "create_app",
    "demo_report_files",
    "generate_demo",
    "planted_manifest",
]
