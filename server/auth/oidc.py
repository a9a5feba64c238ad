"""OpenID Connect, the relying party's side (docs/sso.md): discovery, the authorization URL
(code flow, PKCE S256, state, nonce), the code exchanged for tokens, and the ID token checked
against the provider's published keys; and the sealing of client secrets at rest.

Authlib builds the OAuth 2 requests (RFC 6749, RFC 7636), joserfc checks the JWT, httpx carries
them. Nothing here touches the database: server/services/sso.py decides who signed in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from server.errors import ErrorCode

log = logging.getLogger(__name__)

# Clocks of two organisations are never quite together: an ID token issued "in the future" or
# expired by less than this is still taken.
CLOCK_SKEW_SECONDS: Final = 120
# Discovery documents and key sets change rarely; a key id we have not seen refetches the keys
# at once (a provider rotating its keys), at most once per token.
METADATA_SECONDS: Final = 3600.0
HTTP_TIMEOUT_SECONDS: Final = 10.0
# Asymmetric algorithms only: "none" and HMAC (signed with our own client secret) are refused.
ALGORITHMS: Final = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
MAX_DOCUMENT_BYTES: Final = 512 * 1024


class OidcFailure(Exception):
    """A sign-in that can't go on: the problem code the person is shown, and what the log says."""

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def unavailable(detail: str) -> OidcFailure:
    """Return the failure of a provider that did not answer as it should."""
    return OidcFailure(ErrorCode.SSO_PROVIDER_UNAVAILABLE, detail)


def invalid_token(detail: str) -> OidcFailure:
    """Return the failure of an ID token that must not be believed."""
    return OidcFailure(ErrorCode.SSO_INVALID_TOKEN, detail)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What Hallpass uses of a provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Hallpass as the provider's client: its id, secret (None: a public client) and scopes."""

    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str


@dataclass(frozen=True, slots=True)
class Started:
    """A sign-in sent to the provider: the URL, and what the callback needs to finish it."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(slots=True)
class _Cached:
    value: Any
    until: float


@dataclass
class OidcClient:
    """The protocol with every provider, with its discovery and keys cached (one per runtime)."""

    # Tests may hand in another transport; by default, the network.
    transport: httpx.AsyncBaseTransport | None = None
    _metadata: dict[str, _Cached] = field(default_factory=dict)
    _keys: dict[str, _Cached] = field(default_factory=dict)

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.transport,
            timeout=HTTP_TIMEOUT_SECONDS,
            follow_redirects=False,
            headers={"User-Agent": "Hallpass"},
        )

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with self._http() as http:
                response = await http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise unavailable(f"{what} unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise unavailable(f"{what} answered {response.status_code}")
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise unavailable(f"{what} is too large")
        try:
            document = json.loads(response.content)
        except ValueError as exc:
            raise unavailable(f"{what} is not JSON") from exc
        if not isinstance(document, dict):
            raise unavailable(f"{what} is not a JSON object")
        return document

    async def metadata(self, issuer: str) -> Metadata:
        """Return the provider's discovery document (cached for an hour)."""
        cached = self._metadata.get(issuer)
        if cached is not None and cached.until > time.monotonic():
            found: Metadata = cached.value
            return found
        document = await self._get_json(
            issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery"
        )
        # OpenID Connect Discovery 1.0 section 4.3: the document names the issuer it was asked
        # for, exactly; anything else is another provider (or a mistyped issuer).
        if document.get("issuer") != issuer:
            raise unavailable(f"discovery names issuer {str(document.get('issuer'))[:100]!r}")
        try:
            metadata = Metadata(
                issuer=issuer,
                authorization_endpoint=_url(document, "authorization_endpoint"),
                token_endpoint=_url(document, "token_endpoint"),
                jwks_uri=_url(document, "jwks_uri"),
                token_auth_methods=tuple(
                    document.get("token_endpoint_auth_methods_supported")
                    or ("client_secret_basic",)
                ),
            )
        except ValueError as exc:
            raise unavailable(f"discovery: {exc}") from exc
        self._metadata[issuer] = _Cached(metadata, time.monotonic() + METADATA_SECONDS)
        return metadata

    async def _key_set(self, metadata: Metadata, *, refresh: bool = False) -> KeySet:
        cached = self._keys.get(metadata.jwks_uri)
        if not refresh and cached is not None and cached.until > time.monotonic():
            keys: KeySet = cached.value
            return keys
        document = await self._get_json(metadata.jwks_uri, "the provider's keys")
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise unavailable(f"the provider's keys can't be read: {exc}") from exc
        self._keys[metadata.jwks_uri] = _Cached(keys, time.monotonic() + METADATA_SECONDS)
        return keys

    async def start(self, client: ClientConfig, redirect_uri: str) -> Started:
        """Return the authorization URL of a new sign-in, with its state, nonce and verifier."""
        metadata = await self.metadata(client.issuer)
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 allows 43 to 128
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            client.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=client.scopes,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        return Started(url, state, nonce, verifier)

    async def exchange(
        self, client: ClientConfig, redirect_uri: str, code: str, code_verifier: str
    ) -> str:
        """Exchange the authorization code at the token endpoint; return the raw ID token."""
        metadata = await self.metadata(client.issuer)
        body = prepare_token_request(
            "authorization_code",
            redirect_uri=redirect_uri,
            code=code,
            code_verifier=code_verifier,
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        if client.client_secret is None:
            body += "&client_id=" + quote(client.client_id, safe="")
        elif "client_secret_basic" in metadata.token_auth_methods:
            # RFC 6749 section 2.3.1: each part form-encoded, then base64 of "id:secret".
            pair = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            body += "&client_id=" + quote(client.client_id, safe="")
            body += "&client_secret=" + quote(client.client_secret, safe="")
        try:
            async with self._http() as http:
                response = await http.post(metadata.token_endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise unavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
        try:
            answer = json.loads(response.content)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise unavailable(f"token endpoint answered {response.status_code} without JSON")
        if response.status_code != 200:
            error = str(answer.get("error", "unknown"))[:60]
            # A used, expired or foreign code is the sign-in's problem; a refused client
            # (wrong secret, unknown id) is the deployment's, and the person can't fix it.
            if error == "invalid_grant":
                raise invalid_token("token endpoint refused the code (invalid_grant)")
            raise unavailable(f"token endpoint refused: {error}")
        id_token = answer.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise invalid_token("the token endpoint sent no ID token (is `openid` a scope?)")
        return id_token

    async def verify(
        self, client: ClientConfig, id_token: str, nonce: str, now: float
    ) -> dict[str, Any]:
        """Return the ID token's claims once its signature, issuer, audience, times and nonce
        hold (OpenID Connect Core 1.0 section 3.1.3.7), with CLOCK_SKEW_SECONDS of leeway."""
        metadata = await self.metadata(client.issuer)
        keys = await self._key_set(metadata)
        try:
            try:
                token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            except JoseError as exc:
                if not _unknown_key(exc):
                    raise
                # A key we have not seen: the provider may have rotated its keys.
                keys = await self._key_set(metadata, refresh=True)
                token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            registry = jwt.JWTClaimsRegistry(
                now=int(now),
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": metadata.issuer},
                aud={"essential": True, "value": client.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(token.claims)
        except JoseError as exc:
            raise invalid_token(f"ID token refused: {type(exc).__name__}: {exc}"[:300]) from exc
        except (ValueError, TypeError) as exc:
            raise invalid_token(f"ID token unreadable: {type(exc).__name__}") from exc
        claims = dict(token.claims)
        audience = claims.get("aud")
        # Several audiences: the authorized party must be us (Core 3.1.3.7, steps 4 and 5).
        if (
            isinstance(audience, list)
            and len(audience) > 1
            and claims.get("azp") != client.client_id
        ):
            raise invalid_token("ID token for several audiences without us as azp")
        if (
            not isinstance(claims.get("iat"), int | float)
            or claims["iat"] > now + CLOCK_SKEW_SECONDS
        ):
            raise invalid_token("ID token issued in the future")
        return claims


def _url(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValueError(f"no {name}")
    return value


def _unknown_key(exc: JoseError) -> bool:
    return "key" in type(exc).__name__.lower() or "key" in str(exc).lower()


def _fernet(secret_key: str) -> Fernet:
    # A key of its own for this one use, derived from the deployment's secret.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hallpass sso client secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_secret(secret_key: str, secret: str) -> str:
    """Return a client secret sealed for storage (Fernet, a key derived from the server's)."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal_secret(secret_key: str, sealed: str) -> str | None:
    """Return a stored client secret, or None if another server key sealed it."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def state_hash(state: str, browser: str) -> str:
    """Return the stored form of a state, bound to the browser that started the sign-in."""
    return hashlib.sha256(f"{state}\0{browser}".encode()).hexdigest()
