"""Deterministic ids for use inside workflow code (from the workflow's own random)."""

from __future__ import annotations

from temporalio import workflow

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def workflow_id_for(prefix: str, length: int = 20) -> str:
    """Return an id like `det_...`, replay-safe because it uses `workflow.random()`."""
    rng = workflow.random()
    return f"{prefix}_{''.join(rng.choice(_ALPHABET) for _ in range(length))}"
