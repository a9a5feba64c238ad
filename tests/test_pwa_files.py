"""The server hands out the built app: its shell for every app page, files with cache rules."""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from server.api.app import create_app
from tests.conftest import BASE_URL, cheap_runtime, settings_for


def built(tmp_path: Path) -> Path:
    """Lay out a small build like Vite's: a shell, a hashed asset, the worker, the manifest."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Hallpass</title>")
    (dist / "assets" / "index-abc123.js").write_text("export {};")
    (dist / "sw.js").write_text("self.addEventListener('push', () => {});")
    (dist / "manifest.webmanifest").write_text('{"name": "Hallpass"}')
    return dist


def client_for(tmp_path: Path, pwa_dir: Path) -> httpx.AsyncClient:
    """Return an HTTP client to an app serving pwa_dir (no database is touched)."""
    settings = replace(settings_for("sqlite://:memory:", tmp_path), pwa_dir=pwa_dir)
    app = create_app(settings, manage_database=False, runtime=cheap_runtime())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@pytest.mark.parametrize("page", ["/", "/passes/12", "/admin", "/kiosk", "/emergency", "/sign-in"])
async def test_every_app_page_is_the_shell_and_is_revalidated(tmp_path: Path, page: str) -> None:
    async with client_for(tmp_path, built(tmp_path)) as client:
        answer = await client.get(page)
    assert answer.status_code == 200
    assert "<title>Hallpass</title>" in answer.text
    assert answer.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in answer.headers["content-security-policy"]


async def test_hashed_assets_are_cached_for_good_and_the_worker_never(tmp_path: Path) -> None:
    async with client_for(tmp_path, built(tmp_path)) as client:
        asset = await client.get("/assets/index-abc123.js")
        worker = await client.get("/sw.js")
        manifest = await client.get("/manifest.webmanifest")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert worker.headers["cache-control"] == "no-cache"
    assert manifest.headers["content-type"] == "application/manifest+json"


async def test_a_missing_file_is_a_json_404_not_the_shell(tmp_path: Path) -> None:
    async with client_for(tmp_path, built(tmp_path)) as client:
        answer = await client.get("/assets/gone.js")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


async def test_without_a_build_the_app_pages_say_how_to_build_it(tmp_path: Path) -> None:
    async with client_for(tmp_path, tmp_path / "dist") as client:
        page = await client.get("/")
        health = await client.get("/healthz")
        assert page.status_code == 503
        assert "npm --prefix pwa run build" in page.text
        assert health.status_code == 200

        built(tmp_path)  # the build finishes while the server runs
        assert (await client.get("/")).status_code == 200


JS = b"export const greeting = 'hello, hallway';\n" * 40


def built_compressed(tmp_path: Path) -> Path:
    """A build with brotli and gzip copies of the hashed script, and only gzip of the shell."""
    dist = built(tmp_path)
    script = dist / "assets" / "index-abc123.js"
    script.write_bytes(JS)
    # Python has no brotli: any bytes stand for it, the server sends the file as it is.
    (dist / "assets" / "index-abc123.js.br").write_bytes(b"brotli stand-in")
    (dist / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(JS, 9))
    (dist / "index.html.gz").write_bytes(gzip.compress((dist / "index.html").read_bytes(), 9))
    return dist


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # Chromium's header: the smallest copy
        ("gzip", "gzip"),
        ("br;q=0.5, gzip", "gzip"),  # the client's weights decide
        ("br;q=0, gzip;q=0.1", "gzip"),  # q=0 refuses a coding
        ("*", "br"),
        ("identity", None),
        ("", None),
    ],
)
async def test_the_best_precompressed_copy_the_client_takes_is_sent(
    tmp_path: Path, accept: str, coding: str | None
) -> None:
    dist = built_compressed(tmp_path)
    async with client_for(tmp_path, dist) as client:
        answer = await client.get("/assets/index-abc123.js", headers={"accept-encoding": accept})
    assert answer.status_code == 200
    assert answer.headers.get("content-encoding") == coding
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    suffix = {"br": ".br", "gzip": ".gz", None: ""}[coding]
    sent = (dist / "assets" / f"index-abc123.js{suffix}").read_bytes()
    assert int(answer.headers["content-length"]) == len(sent)
    if coding == "gzip":
        assert answer.content == JS  # httpx decodes gzip: the copy is the same file
    elif coding is None:
        assert answer.content == JS


async def test_a_missing_brotli_copy_falls_back_to_gzip_then_to_the_file(tmp_path: Path) -> None:
    dist = built_compressed(tmp_path)
    async with client_for(tmp_path, dist) as client:
        shell = await client.get("/passes/3", headers={"accept-encoding": "br, gzip"})
        assert shell.headers["content-encoding"] == "gzip"
        assert "<title>Hallpass</title>" in shell.text
        assert shell.headers["content-type"].startswith("text/html")
        assert shell.headers["cache-control"] == "no-cache"
        worker = await client.get("/sw.js", headers={"accept-encoding": "br, gzip"})
        assert "content-encoding" not in worker.headers
        assert worker.headers["vary"] == "Accept-Encoding"
        assert worker.headers["cache-control"] == "no-cache"


async def test_each_encoding_has_its_own_etag_and_a_match_answers_304(tmp_path: Path) -> None:
    dist = built_compressed(tmp_path)
    async with client_for(tmp_path, dist) as client:
        tags = {}
        for accept in ("br", "gzip", "identity"):
            first = await client.get("/", headers={"accept-encoding": accept})
            tags[accept] = first.headers["etag"]
            again = await client.get(
                "/", headers={"accept-encoding": accept, "if-none-match": tags[accept]}
            )
            assert again.status_code == 304, accept
            assert again.content == b""
            assert again.headers["cache-control"] == "no-cache"
        brotli_tag = (
            await client.get("/assets/index-abc123.js", headers={"accept-encoding": "br"})
        ).headers["etag"]
        gzip_again = await client.get(
            "/assets/index-abc123.js",
            headers={"accept-encoding": "gzip", "if-none-match": brotli_tag},
        )
    # index.html has no .br: br and identity are the same file, gzip is another.
    assert tags["gzip"] != tags["identity"] == tags["br"]
    assert gzip_again.status_code == 200  # the brotli copy's tag is not the gzip copy's


async def test_head_sends_the_headers_of_the_copy_without_a_body(tmp_path: Path) -> None:
    dist = built_compressed(tmp_path)
    async with client_for(tmp_path, dist) as client:
        answer = await client.head("/assets/index-abc123.js", headers={"accept-encoding": "br"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "br"
    assert int(answer.headers["content-length"]) == len(b"brotli stand-in")
    assert answer.content == b""


async def test_images_are_never_sent_compressed(tmp_path: Path) -> None:
    dist = built_compressed(tmp_path)
    (dist / "icons").mkdir()
    (dist / "icons" / "icon-192.png").write_bytes(b"\x89PNG" + b"\0" * 400)
    (dist / "icons" / "icon-192.png.gz").write_bytes(b"not sent")
    async with client_for(tmp_path, dist) as client:
        answer = await client.get("/icons/icon-192.png", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in answer.headers
    assert "vary" not in answer.headers
    assert answer.headers["content-type"] == "image/png"


async def test_the_shells_inline_stylesheet_and_no_other_is_allowed_by_its_hash(
    tmp_path: Path,
) -> None:
    dist = built(tmp_path)
    css = b"body{margin:0}.boot{color:#111827}"
    (dist / "index.html").write_bytes(
        b"<!doctype html><title>Hallpass</title><style>" + css + b"</style>"
    )
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode()
    async with client_for(tmp_path, dist) as client:
        shell = await client.get("/admin")
        asset = await client.get("/assets/index-abc123.js")
        (dist / "index.html").write_bytes(b"<!doctype html><title>Hallpass</title>")  # a new build
        rebuilt = await client.get("/")
    assert f"style-src 'self' 'sha256-{digest}';" in shell.headers["content-security-policy"]
    assert "script-src 'self';" in shell.headers["content-security-policy"]
    assert "style-src 'self';" in asset.headers["content-security-policy"]
    assert "sha256" not in rebuilt.headers["content-security-policy"]
