"""The run command: `hallpass serve` on an empty data folder serves the demo school."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import pg_admin, pg_dsn, tortoise_url
from tests.servers import free_port, hallpass_command, stop, wait_until_healthy


def test_serve_creates_the_demo_school_and_a_student_takes_a_restroom_pass(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
    env["HALLPASS_DATA_DIR"] = str(tmp_path / "var")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*hallpass_command(), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(process, url, log)
        with httpx.Client(base_url=url) as http:
            token = http.post("/api/session", json={"login": "1003", "password": "demo"}).json()
            auth = {"Authorization": f"Bearer {token['token']}"}
            places = {p["name"]: p["id"] for p in http.get("/api/locations", headers=auth).json()}
            assert {
                "Room 101",
                "Room 102",
                "Restroom North",
                "Restroom South",
                "Nurse",
                "Counselor",
                "Library",
                "Main Office",
            } <= set(places)
            created = http.post(
                "/api/passes", headers=auth, json={"destination_id": places["Restroom North"]}
            )
            assert created.status_code == 201
            assert created.json()["state"] == "active"
            ended = http.post(f"/api/passes/{created.json()['id']}/end", headers=auth)
            assert ended.json()["state"] == "ended"
    finally:
        stop(process)
    assert (tmp_path / "var" / "hallpass.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").exists()
    assert "created Demo High School" in log.read_text()


@pytest.mark.postgres
async def test_processes_starting_at_once_on_an_empty_postgres_take_turns(
    postgres_template: str, tmp_path: Path
) -> None:
    name = f"hp_empty_{uuid.uuid4().hex[:10]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
        env.update(
            HALLPASS_DATABASE_URL=tortoise_url(pg_dsn(name)),
            HALLPASS_DATA_DIR=str(tmp_path / "var"),
        )
        runs = [
            await asyncio.create_subprocess_exec(
                *hallpass_command(),
                "demo",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(3)
        ]
        outputs = [(await asyncio.wait_for(run.communicate(), 120))[0].decode() for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], outputs
        assert sum("created Demo High School" in out for out in outputs) == 1, outputs
        conn = await asyncpg.connect(pg_dsn(name))
        try:
            assert await conn.fetchval("SELECT count(*) FROM schools") == 1
        finally:
            await conn.close()
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
