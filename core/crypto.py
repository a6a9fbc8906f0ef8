"""Encryption of secrets at rest, with key rotation.

Each secret (a refresh token, an access token) is sealed with Fernet under a key derived
from the configured encryption key. Older keys stay listed so that values sealed
before a rotation still open, and `rotate` re-seals a value under the current key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBoxError(Exception):
    """A sealed value could not be opened with any configured key."""


def _fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(b"clario-at-rest:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SecretBox:
    """Seal and open short secrets with the current key and any previous ones."""

    def __init__(self, current: str, previous: Sequence[str] = ()) -> None:
        if not current:
            raise ValueError("the encryption key is empty; set CLARIO_ENCRYPTION_KEY")
        self._fernet = MultiFernet([_fernet_for(k) for k in (current, *previous)])

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as error:
            raise SecretBoxError(
                "a stored secret could not be decrypted with the configured keys; "
                "check CLARIO_ENCRYPTION_KEY and CLARIO_ENCRYPTION_PREVIOUS_KEYS"
            ) from error

    def rotate(self, sealed: str) -> str:
        """Re-seal `sealed` under the current key."""
        return self._fernet.rotate(sealed.encode()).decode()
