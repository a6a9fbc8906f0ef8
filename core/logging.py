"""Logging set-up: readable lines in a terminal, JSON lines in production.

Every record carries the request id, user id, workflow id and trace id of the
context it was logged in (empty when there is none). Temporal's workflow and
activity loggers attach their ids to the record, and those are picked up too.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=""
)
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="")
workflow_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "workflow_id", default=""
)
trace_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "trace_id", default=""
)

_CONTEXT_FIELDS = ("request_id", "user_id", "workflow_id", "trace_id")
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Copy the context ids onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or request_id_var.get()
        record.user_id = getattr(record, "user_id", "") or user_id_var.get()
        record.trace_id = getattr(record, "trace_id", "") or trace_id_var.get()
        workflow_id = workflow_id_var.get()
        for key in ("temporal_workflow", "temporal_activity"):
            details = getattr(record, key, None)
            if isinstance(details, dict) and details.get("workflow_id"):
                workflow_id = str(details["workflow_id"])
        record.workflow_id = getattr(record, "workflow_id", "") or workflow_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the context ids and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRIBUTES or value in ("", None):
                continue
            payload[key] = value if key in _CONTEXT_FIELDS else _jsonable(value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class ConsoleFormatter(logging.Formatter):
    """A terminal line: time, level, logger, message, then the ids that are set."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"
        )

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{key}={getattr(record, key)}"
            for key in _CONTEXT_FIELDS
            if getattr(record, key, "")
        ]
        return f"{line} [{' '.join(ids)}]" if ids else line


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Install one stderr handler on the root logger; safe to call more than once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_clario", False):
            root.removeHandler(existing)
    handler._clario = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
