"""Browser tests: the built PWA, served by a real `hallpass serve`, driven in Debian's Chromium.

Chromium comes from Debian's `chromium` package, installed here on first use when missing
(never a browser download). Without it, or without the built app, these tests skip with the
reason on a developer's machine and fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.servers import start, stop

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
CHROMIUM = Path("/usr/bin/chromium")
# As on this workplace's machines: no GPU, no sandbox as root, and none of Chromium's own
# network chatter (the machine's closed network refuses it, many times a second).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
CHROMEBOOK: ViewportSize = {"width": 1366, "height": 768}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _install_chromium() -> None:
    """Install Debian's chromium package (the test set-up's job; CI machines start without it)."""
    if CHROMIUM.exists() or shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"],
        check=False,
        env=env,
        timeout=900,
        stdout=subprocess.DEVNULL,
    )


def _newest(paths: list[Path]) -> float:
    files = (p for base in paths for p in base.rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in files), default=0)


@pytest.fixture(scope="session")
def built_app() -> Path:
    """Return pwa/dist, checking it is built and newer than the app's sources."""
    index = PWA / "dist" / "index.html"
    if not index.exists():
        _unavailable("the PWA is not built: `npm --prefix pwa ci && npm --prefix pwa run build`")
    sources = [PWA / "src", PWA / "service-worker", PWA / "public"]
    if _newest(sources) > index.stat().st_mtime:
        _unavailable("the PWA build is older than its sources: run `npm --prefix pwa run build`")
    return PWA / "dist"


# Module scope, not session: Playwright's sync API runs an event loop in this thread while it is
# open, and pytest-asyncio cannot run a test's loop beside it. Test modules keep their tests
# together (pytest-randomly shuffles modules, then tests within one), so the driver is closed
# before the next module's async tests start.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Start Playwright's driver for one test module."""
    _install_chromium()
    if not CHROMIUM.exists():
        _unavailable(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium per test module; each test opens its own contexts."""
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


class LiveServer:
    """A `hallpass serve` process on SQLite with the demo school, and its base URL."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.url = url
        self.data_dir = data_dir


@pytest.fixture(scope="module")
def server(built_app: Path) -> Iterator[LiveServer]:
    """Serve the built app and the demo school on a free port, fresh for each test module."""
    data_dir = Path(tempfile.mkdtemp(prefix="hallpass-browser-"))
    env = {
        **os.environ,
        "HALLPASS_DATA_DIR": str(data_dir),
        "HALLPASS_PWA_DIR": str(built_app),
        "HALLPASS_PUSH_HOSTS": "127.0.0.1",
    }
    env.pop("HALLPASS_DATABASE_URL", None)
    env.pop("HALLPASS_REDIS_URL", None)
    process, url = start(env, data_dir / "server.log")
    try:
        yield LiveServer(url, data_dir)
    finally:
        stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


OpenContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser) -> Iterator[OpenContext]:
    """Open browser contexts (a phone by default); all are closed after the test."""
    opened: list[BrowserContext] = []

    def open_context(viewport: ViewportSize | None = None, **options: Any) -> BrowserContext:
        context = browser.new_context(viewport=viewport or PHONE, **options)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def sign_in(page: Page, base_url: str, login: str, password: str = "demo") -> None:
    """Open the app and sign in through its form, waiting until the live feed is up."""
    page.goto(base_url + "/")
    page.get_by_label("Student number or e-mail").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("[data-status=live]").wait_for()
