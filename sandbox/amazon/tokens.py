"""Login with Amazon state: authorization codes, refresh and access tokens.

A login code (from /ap/oa) is bound to a signed-in user and a PKCE challenge.
A consent code (spapi_oauth_code) is bound to a selling partner. Both live five
minutes and work once. Refresh tokens never expire here, but they can be
revoked, and revoking one also revokes the access tokens issued from it.
"""

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .clock import Clock
from .errors import LwaError, lwa_invalid_grant

CODE_LIFETIME = timedelta(minutes=5)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class LoginUser:
    """An Amazon customer who signed in with Login with Amazon."""

    user_id: str
    name: str
    email: str


@dataclass(frozen=True)
class SellerGrant:
    """A selling partner's authorization of the sandbox's SP-API application."""

    selling_partner_id: str
    application_id: str


Subject = LoginUser | SellerGrant


@dataclass
class AuthorizationCode:
    """One authorization code, whose `code_challenge` is None for consent codes."""

    client_id: str
    redirect_uri: str
    subject: Subject
    expires_at: datetime
    code_challenge: str | None
    used: bool = False


@dataclass
class RefreshToken:
    """One refresh token and the access tokens issued from it."""

    token: str
    client_id: str
    subject: Subject
    revoked: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class AccessToken:
    """One access token, valid for an hour unless its refresh token is revoked."""

    token: str
    refresh_token: RefreshToken
    expires_at: datetime

    @property
    def subject(self) -> Subject:
        """The user or seller this token acts for."""
        return self.refresh_token.subject


@dataclass(frozen=True)
class TokenGrant:
    """The result of a token request: an access token and maybe a refresh token."""

    access_token: AccessToken
    refresh_token: RefreshToken | None


def login_user_id(email: str) -> str:
    """Return the stable LWA user id for an email ("amzn1.account." + 28 chars)."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).digest()
    return "amzn1.account." + base64.b32encode(digest).decode("ascii")[:28]


def s256_challenge(verifier: str) -> str:
    """Return the PKCE S256 code challenge of `verifier`."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class TokenStore:
    """LWA codes and tokens of one sandbox app.

    Codes and access tokens live in memory. Refresh tokens are also written to
    `state_file` when one is given, so a restarted sandbox still honours them, as
    Amazon does. Access tokens are not kept, so callers refresh once after a restart.
    """

    def __init__(self, clock: Clock, state_file: str | None = None) -> None:
        self._clock = clock
        self._codes: dict[str, AuthorizationCode] = {}
        self._refresh_tokens: dict[str, RefreshToken] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._state_file = Path(state_file) if state_file else None
        self._load()

    def _load(self) -> None:
        if self._state_file is None or not self._state_file.exists():
            return
        saved = json.loads(self._state_file.read_text(encoding="utf-8"))
        for item in saved.get("refresh_tokens", []):
            subject: Subject
            if item["kind"] == "seller":
                subject = SellerGrant(
                    item["selling_partner_id"], item["application_id"]
                )
            else:
                subject = LoginUser(item["user_id"], item["name"], item["email"])
            self._refresh_tokens[item["token"]] = RefreshToken(
                token=item["token"],
                client_id=item["client_id"],
                subject=subject,
                revoked=bool(item["revoked"]),
            )

    def _save(self) -> None:
        if self._state_file is None:
            return
        items = []
        for entry in self._refresh_tokens.values():
            item: dict[str, object] = {
                "token": entry.token,
                "client_id": entry.client_id,
                "revoked": entry.revoked,
            }
            if isinstance(entry.subject, SellerGrant):
                item.update(
                    kind="seller",
                    selling_partner_id=entry.subject.selling_partner_id,
                    application_id=entry.subject.application_id,
                )
            else:
                item.update(
                    kind="user",
                    user_id=entry.subject.user_id,
                    name=entry.subject.name,
                    email=entry.subject.email,
                )
            items.append(item)
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"refresh_tokens": items}), encoding="utf-8")
        os.replace(temporary, self._state_file)

    def issue_code(
        self,
        client_id: str,
        redirect_uri: str,
        subject: Subject,
        code_challenge: str | None,
    ) -> str:
        """Create an authorization code that lives five minutes and works once."""
        code = "AN" + secrets.token_urlsafe(15)
        self._codes[code] = AuthorizationCode(
            client_id=client_id,
            redirect_uri=redirect_uri,
            subject=subject,
            expires_at=self._clock() + CODE_LIFETIME,
            code_challenge=code_challenge,
        )
        return code

    def redeem_code(
        self,
        code: str,
        client_id: str,
        redirect_uri: str,
        code_verifier: str | None,
    ) -> TokenGrant:
        """Exchange an authorization code for a refresh and an access token.

        Raises LwaError invalid_grant for an unknown, expired or used code, a
        code of another client, a redirect_uri other than the one the code was
        issued for, or a PKCE verifier that does not match. A failed attempt does
        not use up the code.
        """
        entry = self._codes.get(code)
        if entry is None or entry.used or self._clock() >= entry.expires_at:
            raise lwa_invalid_grant("code")
        if entry.client_id != client_id:
            raise lwa_invalid_grant("code")
        if entry.redirect_uri != redirect_uri:
            raise lwa_invalid_grant("redirect_uri")
        if entry.code_challenge is not None:
            self._check_verifier(entry.code_challenge, code_verifier)
        entry.used = True
        refresh = RefreshToken(
            token="Atzr|" + secrets.token_urlsafe(48),
            client_id=client_id,
            subject=entry.subject,
        )
        self._refresh_tokens[refresh.token] = refresh
        self._save()
        return TokenGrant(self._issue_access(refresh), refresh)

    @staticmethod
    def _check_verifier(challenge: str, verifier: str | None) -> None:
        if not verifier:
            raise LwaError(
                400,
                "invalid_request",
                "The request is missing a required parameter : code_verifier",
            )
        if not verifier.isascii() or not secrets.compare_digest(
            s256_challenge(verifier), challenge
        ):
            raise lwa_invalid_grant("code_verifier")

    def refresh(self, refresh_token: str, client_id: str) -> TokenGrant:
        """Issue a new access token for a refresh token (no new refresh token).

        Raises LwaError invalid_grant for an unknown or revoked refresh token or
        one issued to another client.
        """
        entry = self._refresh_tokens.get(refresh_token)
        if entry is None or entry.revoked or entry.client_id != client_id:
            raise lwa_invalid_grant("refresh_token")
        return TokenGrant(self._issue_access(entry), None)

    def _issue_access(self, refresh: RefreshToken) -> AccessToken:
        access = AccessToken(
            token="Atza|" + secrets.token_urlsafe(48),
            refresh_token=refresh,
            expires_at=self._clock() + ACCESS_TOKEN_LIFETIME,
        )
        self._access_tokens[access.token] = access
        refresh.access_tokens.append(access.token)
        return access

    def lookup_access(self, token: str | None) -> AccessToken | None:
        """Return the live access token for `token`, or None if it is not valid."""
        if not token:
            return None
        entry = self._access_tokens.get(token)
        if entry is None or entry.refresh_token.revoked:
            return None
        if self._clock() >= entry.expires_at:
            return None
        return entry

    def revoke_seller(self, selling_partner_id: str) -> int:
        """Revoke every refresh token of a seller and return how many were live."""
        matches = [
            entry
            for entry in self._refresh_tokens.values()
            if isinstance(entry.subject, SellerGrant)
            and entry.subject.selling_partner_id == selling_partner_id
        ]
        return self._revoke(matches)

    def revoke_refresh_token(self, refresh_token: str) -> int:
        """Revoke one refresh token and return 1 if it was live, else 0."""
        entry = self._refresh_tokens.get(refresh_token)
        return self._revoke([entry] if entry else [])

    def _revoke(self, entries: list[RefreshToken]) -> int:
        live = [entry for entry in entries if not entry.revoked]
        for entry in live:
            entry.revoked = True
        if live:
            self._save()
        return len(live)
