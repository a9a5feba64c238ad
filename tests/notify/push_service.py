"""A Web Push service on 127.0.0.1, strict as a real one: it checks the VAPID JWT (RFC 8292) and
decrypts the aes128gcm body (RFC 8291) with the subscription's private key, then answers as
scripted (201 by default, or 404, 410, 413, 429 with Retry-After, 500).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

# RFC 8292 section 2: a push service must refuse a token that expires more than 24 h ahead.
MAX_EXP_SECONDS = 24 * 3600


def b64url(data: bytes) -> str:
    """Return unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    text = text.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """A browser's subscription: the key pair and auth secret only the browser knows."""

    token: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self, base_url: str) -> dict[str, Any]:
        """Return `PushSubscription.toJSON()` of this device."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{base_url}/push/{self.token}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


@dataclass
class Received:
    """One request the service accepted as well-formed, and what it answered."""

    token: str
    payload: dict[str, Any]
    headers: dict[str, str]
    claims: dict[str, Any]
    vapid_key: str
    size: int
    answered: int
    at: float  # time.monotonic() when it was decrypted


@dataclass
class PushService:
    """The service: its devices, scripted answers, and everything it received."""

    port: int = 0
    devices: dict[str, Device] = field(default_factory=dict)
    script: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why malformed requests were refused
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        """Return the service's origin."""
        return f"http://127.0.0.1:{self.port}"

    def device(self) -> Device:
        """Make a new device the service knows the keys of."""
        made = Device(token=b64url(os.urandom(9)))
        self.devices[made.token] = made
        return made

    def answer(self, device: Device, *answers: tuple[int, dict[str, str]]) -> None:
        """Script the next answers to a device's pushes (then 201 again)."""
        self.script.setdefault(device.token, []).extend(answers)

    def to(self, device: Device) -> list[Received]:
        """Return what a device was sent."""
        return [r for r in self.received if r.token == device.token]

    async def wait_for(self, count: int, within: float = 5.0) -> list[Received]:
        """Wait until `count` pushes arrived in all."""
        deadline = time.monotonic() + within
        while len(self.received) < count:
            self.arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{len(self.received)} of {count} pushes: {self.refused}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)
        return self.received

    def _claims(self, request: web.Request) -> tuple[dict[str, Any], str]:
        scheme, _, params = request.headers.get("Authorization", "").partition(" ")
        if scheme != "vapid":
            raise ValueError(f"Authorization scheme {scheme!r} is not vapid")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        head, body, signature = token.split(".")
        header = json.loads(unb64url(head))
        if header != {"typ": "JWT", "alg": "ES256"}:
            raise ValueError(f"JWT header {header}")
        raw = unb64url(signature)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("the JWT signature does not verify against k") from None
        claims: dict[str, Any] = json.loads(unb64url(body))
        if claims.get("aud") != self.base_url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.base_url!r}")
        now = time.time()
        if not now < claims["exp"] <= now + MAX_EXP_SECONDS:
            raise ValueError(f"exp {claims['exp']} is not within 24 h from now")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("no sub contact")
        return claims, key

    async def handle(self, request: web.Request) -> web.Response:
        """Check, decrypt and record one push; answer as scripted."""
        token = request.match_info["token"]
        device = self.devices.get(token)
        if device is None:
            return web.Response(status=404)
        body = await request.read()
        try:
            claims, key = self._claims(request)
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            if not request.headers.get("TTL", "").isdigit():
                raise ValueError("no TTL")
            plain = http_ece.decrypt(
                body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as exc:  # every malformed push is a 400, as a real service answers
            self.refused.append(f"{exc.__class__.__name__}: {exc}")
            return web.Response(status=400, text=str(exc))
        queued = self.script.get(token) or []
        status, headers = queued.pop(0) if queued else (201, {})
        self.received.append(
            Received(
                token,
                payload,
                {k.lower(): v for k, v in request.headers.items()},
                claims,
                key,
                len(body),
                status,
                time.monotonic(),
            )
        )
        self.arrived.set()
        return web.Response(status=status, headers=headers)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(path: str, handler: Handler) -> AsyncIterator[int]:
    """Serve POST `path` with handler on a free port of 127.0.0.1; yield the port."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@asynccontextmanager
async def push_service() -> AsyncIterator[PushService]:
    """Run a push service on a free port of 127.0.0.1."""
    service = PushService()
    async with serving("/push/{token}", service.handle) as port:
        service.port = port
        yield service
