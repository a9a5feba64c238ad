"""Serve the built PWA (pwa/dist): its files, and index.html for every page of the app."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
import stat
from functools import lru_cache
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from server.api.encoding import COMPRESSIBLE, preferred_encodings
from server.api.headers import CONTENT_SECURITY_POLICY

# Not in every system's MIME table; browsers want this type for the web app manifest.
mimetypes.add_type("application/manifest+json", ".webmanifest")

# Vite names these files by content hash, so a browser may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"
# The shell, the manifest and the service worker must be checked at every load, or an update
# would wait for the HTTP cache: the worker's own precache makes the app start offline.
REVALIDATE = "no-cache"
# Paths the app's router owns (pwa/src/router.ts); anything else that is missing is a 404.
APP_PAGES = ("passes/", "emergency", "admin", "kiosk", "sign-in")

# The shell's stylesheet is inlined by the build (pwa/vite.config.ts inlineShellCss).
INLINE_STYLE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hallpass: app not built</title></head>
<body><h1>The Hallpass app is not built</h1>
<p>The server is running and its API answers under <code>/api/</code>. Build the app with
<code>npm --prefix pwa ci &amp;&amp; npm --prefix pwa run build</code> and reload.</p>
</body></html>
"""


# The server's own paths: never the app's, so `GET /api/session` stays a 405, not a 404.
SERVER_PATHS = ("/api/", "/ws", "/openapi.json", "/healthz", "/static/")


@lru_cache(maxsize=4)
def shell_policy(index: Path, mtime_ns: int, size: int) -> str:
    """Return the CSP for this build's index.html: its inline styles allowed by their hashes."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(css).digest()).decode() + "'"
        for css in INLINE_STYLE.findall(index.read_bytes())
    ]
    if not hashes:
        return CONTENT_SECURITY_POLICY
    # Only these exact styles: an injected <style> or style attribute is still refused.
    return CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", "style-src 'self' " + " ".join(hashes)
    )


def is_app_page(path: str) -> bool:
    """Say whether a path is one of the app's own pages (served as index.html)."""
    return path in ("", ".", "index.html") or path.startswith(APP_PAGES)


class AppFiles(StaticFiles):
    """Static files from the build, with index.html for app pages and the right cache rules."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.index = directory / "index.html"

    @property
    def built(self) -> bool:
        """Say whether the app is built (looked at each time: a build may come after start)."""
        return self.index.is_file()

    async def check_config(self) -> None:
        """Check the build's folder, unless there is no build (the pages then say so)."""
        if self.built:
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Answer one GET: a built file, the app shell for an app page, or 404."""
        if not self.built:
            if is_app_page(path):
                return HTMLResponse(NOT_BUILT, status_code=503)
            raise HTTPException(status_code=404)
        if is_app_page(path):
            path = "index.html"
        response = await self.encoded_response(path, scope)
        if response is None:
            response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            immutable = path.startswith("assets/")
            response.headers["cache-control"] = IMMUTABLE if immutable else REVALIDATE
            if path.endswith(COMPRESSIBLE):
                # Caches must keep one copy per encoding, even of a file sent as it is.
                response.headers["vary"] = "Accept-Encoding"
        if path == "index.html":
            found = self.index.stat()
            policy = shell_policy(self.index, found.st_mtime_ns, found.st_size)
            response.headers["content-security-policy"] = policy
        return response

    async def encoded_response(self, path: str, scope: Scope) -> Response | None:
        """Answer with the build's precompressed copy of path the client takes best, if any."""
        if scope["method"] not in ("GET", "HEAD") or not path.endswith(COMPRESSIBLE):
            return None
        request = Headers(scope=scope)
        for encoding, suffix in preferred_encodings(request.get("accept-encoding", "")):
            full_path, found = await anyio.to_thread.run_sync(self.lookup_path, path + suffix)
            if found is None or not stat.S_ISREG(found.st_mode):
                continue  # not built for this file (too small, or an old build): try the next
            media_type, _ = mimetypes.guess_type(path)
            response = FileResponse(
                full_path,
                stat_result=found,
                media_type=media_type or "application/octet-stream",
                headers={"content-encoding": encoding},
            )
            if self.is_not_modified(response.headers, request):
                return NotModifiedResponse(response.headers)
            return response
        return None


class AppMount(Mount):
    """Mount the app's files at `/`, for every path but the server's own."""

    def __init__(self, directory: Path) -> None:
        super().__init__("/", app=AppFiles(directory), name="pwa")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match like a mount at `/`, except the API, the socket and the server's files."""
        if scope["type"] == "http" and scope["path"].startswith(SERVER_PATHS):
            return Match.NONE, {}
        return super().matches(scope)
