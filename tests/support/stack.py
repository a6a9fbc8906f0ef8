"""The whole stack as real processes on loopback: sandbox, worker and gateway.

The Temporal dev server comes from the test session. Everything else is started here
with `subprocess` on free ports, with its own database file and data folder.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_port(
    port: int, process: subprocess.Popen[bytes], name: str, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with status {process.returncode} while starting"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout}s")


@dataclass
class Stack:
    """Processes of one test module's stack and the URLs to reach them."""

    temporal_address: str
    workdir: Path
    processing_delay: float = 1.0
    poll_interval: float = 0.5
    heartbeat_timeout: float = 4.0
    gateway_port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    task_queue_prefix: str = field(
        default_factory=lambda: f"t{os.getpid()}{free_port()}"
    )
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def sync_queue(self) -> str:
        return f"{self.task_queue_prefix}-sync"

    def environment(self) -> dict[str, str]:
        sandbox = self.sandbox_url
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CLARIO_ENVIRONMENT": "test",
            "CLARIO_LOG_LEVEL": "INFO",
            "CLARIO_DATABASE_URL": f"sqlite+aiosqlite:///{self.workdir / 'clario.db'}",
            "CLARIO_DATA_DIR": str(self.workdir / "data"),
            "CLARIO_PUBLIC_URL": self.gateway_url,
            "CLARIO_TEMPORAL_ADDRESS": self.temporal_address,
            "CLARIO_TASK_QUEUE_SYNC": self.sync_queue,
            "CLARIO_TASK_QUEUE_DETECTION": f"{self.task_queue_prefix}-detection",
            "CLARIO_AMAZON_LWA_AUTHORIZE_URL": f"{sandbox}/ap/oa",
            "CLARIO_AMAZON_LWA_TOKEN_URL": f"{sandbox}/auth/o2/token",
            "CLARIO_AMAZON_PROFILE_URL": f"{sandbox}/user/profile",
            "CLARIO_AMAZON_SELLER_CENTRAL_URL": sandbox,
            "CLARIO_AMAZON_SPAPI_ENDPOINT": sandbox,
            "CLARIO_REPORT_POLL_INTERVAL_SECONDS": str(self.poll_interval),
            "CLARIO_REPORT_HEARTBEAT_TIMEOUT_SECONDS": str(self.heartbeat_timeout),
            "CLARIO_AMAZON_THROTTLE_MAX_DELAY_SECONDS": "1",
        }

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with open(self.workdir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed commands of this repository
                command,
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes[name] = process
        return process

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        callbacks = [
            f"{self.gateway_url}/api/auth/amazon/callback",
            f"{self.gateway_url}/api/v1/integrations/amazon/callback",
        ]
        sandbox = self._spawn(
            "sandbox",
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                str(self.sandbox_port),
                "--processing-delay",
                str(self.processing_delay),
                "--rate-limit-scale",
                "100",
                *[arg for uri in callbacks for arg in ("--redirect-uri", uri)],
            ],
        )
        _wait_port(self.sandbox_port, sandbox, "sandbox")
        subprocess.run(
            [sys.executable, "-m", "store.migrate"],
            cwd=ROOT,
            env=self.environment(),
            check=True,
            capture_output=True,
        )
        self.start_worker()
        gateway = self._spawn(
            "gateway",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "api.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.gateway_port),
                "--no-access-log",
            ],
        )
        _wait_port(self.gateway_port, gateway, "gateway")

    def start_worker(self) -> subprocess.Popen[bytes]:
        return self._spawn("worker", [sys.executable, "worker.py"])

    def kill_worker(self) -> None:
        """Kill the worker at once (SIGKILL), as a crash would."""
        worker = self.processes.pop("worker")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def launch_stack(
    temporal_address: str,
    workdir: Path,
    *,
    processing_delay: float = 1.0,
    poll_interval: float = 0.5,
    heartbeat_timeout: float = 4.0,
) -> Iterator[Stack]:
    """Run a stack for one test module; stop every process afterwards."""
    running = Stack(
        temporal_address,
        workdir,
        processing_delay=processing_delay,
        poll_interval=poll_interval,
        heartbeat_timeout=heartbeat_timeout,
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                {"action": values.get("action", ""), "fields": {}, "buttons": []}
            )
        elif tag in ("input", "button") and self.forms and values.get("name"):
            fields = self.forms[-1]["fields"]
            assert isinstance(fields, dict)
            if tag == "button" or values.get("type") == "submit":
                buttons = self.forms[-1]["buttons"]
                assert isinstance(buttons, list)
                buttons.append((values["name"], values.get("value", "")))
            else:
                fields[values["name"]] = values.get("value", "")


def read_forms(
    html: str, base: str
) -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """Return (absolute action URL, fields, submit buttons) for each form on a page."""
    parser = _FormParser()
    parser.feed(html)
    return [
        (urljoin(base, str(f["action"])), dict(f["fields"]), list(f["buttons"]))  # type: ignore[call-overload]
        for f in parser.forms
    ]


async def sign_in(client: httpx.AsyncClient, stack: Stack, email: str) -> None:
    """Walk Login with Amazon through the sandbox, as a browser would."""
    start = await client.get(f"{stack.gateway_url}/auth/amazon/start")
    assert start.status_code == 302, start.text
    page = await client.get(start.headers["location"])
    assert page.status_code == 200, page.text
    action, fields, _ = read_forms(page.text, stack.sandbox_url)[0]
    fields.update({"email": email, "name": email.split("@")[0], "decision": "allow"})
    approved = await client.post(action, data=fields)
    assert approved.status_code in (302, 303), approved.text
    callback = await client.get(approved.headers["location"])
    assert callback.status_code == 302, callback.text
    assert "error=" not in callback.headers["location"], callback.headers["location"]


async def connect_amazon(
    client: httpx.AsyncClient, stack: Stack, seller_id: str
) -> str:
    """Authorize the seller in the sandbox's Seller Central; return the redirect."""
    response = await client.get(
        f"{stack.gateway_url}/api/v1/integrations/connect-amazon"
    )
    assert response.status_code == 200, response.text
    page = await client.get(response.json()["data"]["auth_url"])
    assert page.status_code == 200, page.text
    offered = [
        (action, fields)
        for action, fields, _buttons in read_forms(page.text, stack.sandbox_url)
        if fields.get("selling_partner_id") == seller_id
    ]
    assert offered, f"the consent page offers no form for {seller_id}"
    action, fields = offered[0]
    confirmed = await client.post(action, data=fields)
    assert confirmed.status_code in (302, 303), confirmed.text
    location = confirmed.headers["location"]
    assert parse_qs(urlsplit(location).query).get("spapi_oauth_code"), location
    callback = await client.get(location)
    assert callback.status_code == 302, callback.text
    return str(callback.headers["location"])


async def wait_for_sync(
    client: httpx.AsyncClient,
    stack: Stack,
    sync_id: str | None = None,
    wait_seconds: float = 120,
) -> dict[str, Any]:
    """Poll the sync status until it ends; return its final state."""
    deadline = time.monotonic() + wait_seconds
    query = f"?id={sync_id}" if sync_id else ""
    while time.monotonic() < deadline:
        response = await client.get(f"{stack.gateway_url}/api/sync/status{query}")
        if response.status_code == 200:
            data: dict[str, Any] = response.json()["data"]
            if data["status"] in ("completed", "failed", "cancelled"):
                return data
        await asyncio.sleep(0.5)
    raise AssertionError(
        f"the sync did not end within {wait_seconds}s; worker log:\n"
        f"{stack.log('worker')[-3000:]}"
    )
