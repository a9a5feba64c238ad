"""The server hands out the built app: its shell for every app page, files with cache rules."""

from __future__ import annotations

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
