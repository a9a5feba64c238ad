"""How the app reaches a phone: compressed files, and a worker that keeps only the role's code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import CHROMEBOOK, PWA, LiveServer, OpenContext, sign_in
from tests.browser.test_student import SAVED_WITH_ACTIVE_PASS

# Every screen's own chunk but the student's and the emergency screen's (any role may see it).
OTHER_ROLES = re.compile(
    r"/assets/(Teacher|Care|Monitor|Admin|Kiosk|District)View-|SubstitutePanel"
)

# Every cache of the page's origin: each file's URL and the bytes of its body.
CACHED = """async () => {
  const held = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).arrayBuffer();
      held.push({cache: name, url: new URL(request.url).pathname, bytes: body.byteLength});
    }
  }
  return held;
}"""

# True once the worker's role cache holds the screen file named.
ROLE_CACHED = """async (view) => {
  const cache = await caches.open("hallpass-role-files");
  return (await cache.keys()).some((request) => request.url.endsWith(view));
}"""


def role_files(built_app: Path) -> dict[str, Any]:
    """The build's role -> files list, which the worker reads."""
    files: dict[str, Any] = json.loads((built_app / "precache-roles.json").read_text())
    return files


def sign_in_under_the_worker(page: Page, server: LiveServer, login: str) -> None:
    """Open the app, let its worker take the page, then sign in (a first visit on a phone)."""
    page.goto(server.url + "/")
    page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
    )
    sign_in(page, server.url, login)


def test_a_students_phone_caches_the_shell_and_the_students_files_only(
    server: LiveServer, new_context: OpenContext, built_app: Path
) -> None:
    page = new_context().new_page()
    sign_in_under_the_worker(page, server, "1003")
    student = role_files(built_app)["student"]
    page.wait_for_function(ROLE_CACHED, arg=student["view"])
    held: list[dict[str, Any]] = page.evaluate(CACHED)

    urls = {entry["url"] for entry in held}
    assert not {url for url in urls if OTHER_ROLES.search(url)}
    assert set(student["files"]) <= urls
    assert "/index.html" in urls
    cached = sum(entry["bytes"] for entry in held)
    every_file = sum(
        path.stat().st_size
        for path in built_app.rglob("*")
        if path.suffix in (".js", ".css", ".html", ".svg", ".png", ".webmanifest")
        and path.name != "sw.js"
        and ".vite" not in path.parts
    )
    kib = cached / 1024
    print(f"student phone caches {kib:.1f} KiB in {len(held)} files, of {every_file / 1024:.1f}")
    assert cached < every_file * 0.6


def test_a_teachers_chromebook_caches_the_teachers_screen_and_no_students(
    server: LiveServer, new_context: OpenContext, built_app: Path
) -> None:
    page = new_context(viewport=CHROMEBOOK).new_page()
    sign_in_under_the_worker(page, server, "teacher1@demo.school")
    teacher = role_files(built_app)["teacher"]
    page.wait_for_function(ROLE_CACHED, arg=teacher["view"])
    urls = {entry["url"] for entry in page.evaluate(CACHED)}
    assert set(teacher["files"]) <= urls
    assert not [url for url in urls if re.search(r"/assets/(Student|Admin|Kiosk)View-", url)]


def test_a_student_reopening_the_app_offline_gets_their_screen_from_the_worker(
    server: LiveServer, new_context: OpenContext, built_app: Path
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in_under_the_worker(page, server, "1005")
    view = role_files(built_app)["student"]["view"]
    page.wait_for_function(ROLE_CACHED, arg=view)
    page.get_by_role("button", name="Library").click()
    page.get_by_role("button", name="Ask for Library").click()
    page.wait_for_function(SAVED_WITH_ACTIVE_PASS, arg="Library")

    context.set_offline(True)
    answers: list[Response] = []
    page.on("response", lambda answer: answers.append(answer))
    page.reload()
    expect(page.locator(".pass-now").get_by_role("heading", name="Library")).to_be_visible()
    screen = [a for a in answers if a.url.endswith(view)]
    assert screen
    assert screen[0].from_service_worker


def test_the_phone_gets_brotli_files_with_cache_rules(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context().new_page()
    answers: list[Response] = []
    page.on("response", lambda answer: answers.append(answer))
    page.goto(server.url + "/")
    page.get_by_label("Password").wait_for()  # the app decoded and drew its sign-in form
    by_path = {re.sub(r"^https?://[^/]+", "", a.url): a for a in answers}

    shell = by_path["/"].all_headers()
    assert shell["content-encoding"] == "br"
    assert shell["cache-control"] == "no-cache"
    assert shell["vary"] == "Accept-Encoding"
    scripts = [
        a for path, a in by_path.items() if path.startswith("/assets/") and path.endswith(".js")
    ]
    assert scripts
    for answer in scripts:
        headers = answer.all_headers()
        assert headers["content-encoding"] == "br", answer.url
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers["content-type"].startswith("text/javascript")
    # What went over the wire against what the page ran: brotli sends well under half.
    sizes = page.evaluate(
        """() => performance.getEntriesByType("resource")
             .filter((e) => e.name.includes("/assets/"))
             .map((e) => [e.encodedBodySize, e.decodedBodySize])"""
    )
    sent = sum(encoded for encoded, _ in sizes)
    ran = sum(decoded for _, decoded in sizes)
    print(f"first screen assets: {sent / 1024:.1f} KiB sent for {ran / 1024:.1f} KiB")
    assert 0 < sent < ran / 2


def test_the_build_lists_the_files_of_every_role_the_server_knows(built_app: Path) -> None:
    roles = role_files(built_app)
    schema = json.loads((PWA.parent / "shared" / "openapi.json").read_text())
    assert set(roles) == set(schema["components"]["schemas"]["Role"]["enum"])
    for role, listed in roles.items():
        assert listed["view"] in listed["files"], role
        assert all((built_app / path.lstrip("/")).is_file() for path in listed["files"]), role
        # The shell is precached for everyone: no role's list repeats it.
        assert not [path for path in listed["files"] if "/index-" in path], role
