"""Content-addressed storage for raw report documents (local directory backend)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    def put(self, data: bytes) -> tuple[str, str]: ...

    def get(self, key: str) -> bytes: ...


class LocalBlobStore:
    """Keep each blob once, under its SHA-256, written atomically."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, data: bytes) -> tuple[str, str]:
        """Store `data` and return (sha256, storage key); the same bytes again are a
        no-op."""
        digest = hashlib.sha256(data).hexdigest()
        key = f"sha256/{digest[:2]}/{digest}"
        path = self._root / key
        if path.exists():
            return digest, key
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
        return digest, key

    def get(self, key: str) -> bytes:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root.resolve()):
            raise ValueError(f"storage key {key!r} points outside the store")
        return path.read_bytes()
