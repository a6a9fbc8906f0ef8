"""Command line entry point: serve the Amazon sandbox with uvicorn."""

import argparse
import logging
import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from .config import AmazonSandboxConfig, config_from_env

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8300


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `python -m sandbox`."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Serve the Amazon sandbox (LWA, Seller Central consent, SP-API).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port")
    parser.add_argument(
        "--base-url",
        help="public URL of the sandbox for links and forms "
        "(default http://HOST:PORT, env SANDBOX_BASE_URL)",
    )
    parser.add_argument(
        "--seller-dir",
        action="append",
        dest="seller_dirs",
        metavar="DIR",
        help="serve the report files in DIR as a seller, repeatable "
        "(env SANDBOX_SELLER_DIRS)",
    )
    parser.add_argument(
        "--processing-delay",
        type=float,
        metavar="SECONDS",
        help="seconds a report spends IN_QUEUE and IN_PROGRESS "
        "(default 3, env SANDBOX_PROCESSING_DELAY)",
    )
    parser.add_argument(
        "--rate-limit-scale",
        type=float,
        metavar="FACTOR",
        help="multiplier of Amazon's default rates and bursts "
        "(default 1, env SANDBOX_RATE_LIMIT_SCALE)",
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_uris",
        metavar="URI",
        help="registered redirect URI, repeatable (env SANDBOX_AMAZON_REDIRECT_URIS, "
        "comma separated). With none, any loopback URI is accepted.",
    )
    parser.add_argument(
        "--state-file",
        metavar="PATH",
        help="keep refresh tokens in this JSON file across restarts "
        "(env SANDBOX_STATE_FILE; default: memory only)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="anchor day of the demo seller's data (default: today in UTC)",
    )
    return parser


def config_from_args(
    args: argparse.Namespace, environ: dict[str, str] | None = None
) -> AmazonSandboxConfig:
    """Merge environment settings and flags (flags win) into a config."""
    values: dict[str, Any] = config_from_env(environ)
    values.setdefault("base_url", f"http://{args.host}:{args.port}")
    flags = {
        "base_url": args.base_url,
        "seller_dirs": args.seller_dirs,
        "processing_delay_seconds": args.processing_delay,
        "rate_limit_scale": args.rate_limit_scale,
        "redirect_uris": args.redirect_uris,
        "today": args.today,
        "state_file": args.state_file,
    }
    values.update({name: value for name, value in flags.items() if value is not None})
    return AmazonSandboxConfig(**values)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, build the app and serve it until interrupted."""
    import uvicorn

    from .app import create_app

    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args, dict(os.environ))
    except ValueError as error:
        raise SystemExit(f"invalid sandbox settings: {error}") from None
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(config)
    print(
        f"Amazon sandbox listening on http://{args.host}:{args.port} "
        f"(links use {config.base_url})",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
