"""Signed session tokens (python-jose JWTs) with key rotation by `kid`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt

from core.ids import new_id
from core.settings import Settings

_CLOCK_SKEW = timedelta(seconds=60)


class InvalidSession(Exception):
    """The token is malformed, badly signed, expired or for another audience."""


@dataclass(frozen=True)
class SessionClaims:
    user_id: str
    session_id: str
    issued_at: datetime
    expires_at: datetime


class SessionTokens:
    """Issue and verify session JWTs.

    The current key signs; every configured key verifies, chosen by the token's `kid`.
    Previous keys are given as `kid:secret`, so tokens signed before a rotation
    stay valid.
    """

    def __init__(self, settings: Settings) -> None:
        self._algorithms = list(settings.session_algorithms)
        self._issuer = settings.session_issuer
        self._audience = settings.session_audience
        self._ttl = timedelta(seconds=settings.session_ttl_seconds)
        self._kid = settings.session_key_id
        self._keys = {self._kid: settings.session_secret.get_secret_value()}
        for entry in settings.session_previous_secrets:
            kid, sep, secret = entry.get_secret_value().partition(":")
            if not sep or not kid or not secret:
                raise ValueError(
                    "each CLARIO_SESSION_PREVIOUS_SECRETS entry must be 'kid:secret'"
                )
            self._keys.setdefault(kid, secret)

    def issue(
        self, user_id: str, *, now: datetime | None = None
    ) -> tuple[str, SessionClaims]:
        issued = (now or datetime.now(UTC)).replace(microsecond=0)
        claims = SessionClaims(
            user_id=user_id,
            session_id=new_id("ses", 24),
            issued_at=issued,
            expires_at=issued + self._ttl,
        )
        payload = {
            "sub": user_id,
            "jti": claims.session_id,
            "iat": int(issued.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
        }
        token = jwt.encode(
            payload,
            self._keys[self._kid],
            algorithm=self._algorithms[0],
            headers={"kid": self._kid},
        )
        return token, claims

    def verify(self, token: str) -> SessionClaims:
        """Check signature, `kid`, `exp`, `iat`, `iss`, `aud`, `sub` and `jti`."""
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as error:
            raise InvalidSession("malformed token") from error
        key = self._keys.get(str(header.get("kid", "")))
        if key is None:
            raise InvalidSession("unknown signing key")
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_jti": True,
                },
            )
        except JWTError as error:
            raise InvalidSession(str(error)) from error
        issued_at = datetime.fromtimestamp(int(payload["iat"]), UTC)
        if issued_at > datetime.now(UTC) + _CLOCK_SKEW:
            raise InvalidSession("token issued in the future")
        return SessionClaims(
            user_id=str(payload["sub"]),
            session_id=str(payload["jti"]),
            issued_at=issued_at,
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )

    def sign_state(self, claims: dict[str, Any], *, ttl_seconds: int) -> str:
        """Sign a short-lived OAuth state or flow cookie with the session key."""
        now = datetime.now(UTC)
        payload = {
            **claims,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
            "iss": self._issuer,
            "aud": f"{self._audience}:oauth",
        }
        return str(
            jwt.encode(
                payload,
                self._keys[self._kid],
                algorithm=self._algorithms[0],
                headers={"kid": self._kid},
            )
        )

    def open_state(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.get(str(header.get("kid", "")))
            if key is None:
                raise InvalidSession("unknown signing key")
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=f"{self._audience}:oauth",
                issuer=self._issuer,
            )
        except JWTError as error:
            raise InvalidSession(str(error)) from error
        return payload
