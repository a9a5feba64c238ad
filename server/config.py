"""Settings read from the environment (DESIGN.md section 4), with a secret kept on first run."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Settings:
    """What one Hallpass process needs to know about its deployment."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str = field(repr=False)
    # Browsers only send a Secure cookie over HTTPS or to localhost, which is all we serve in
    # development; a deployment behind plain HTTP on a LAN name has to opt out explicitly.
    secure_cookies: bool = True
    session_hours: int = 12
    allowed_origins: tuple[str, ...] = ()
    # Reverse proxies whose X-Forwarded-For uvicorn believes; without it a school behind nginx
    # would look like one client address to the login rate limiter.
    trusted_proxies: str = ""

    @property
    def is_sqlite(self) -> bool:
        """Say whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


def load_secret(data_dir: Path) -> str:
    """Return the deployment's secret key, generating and keeping it on first run."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL so two workers starting at once agree on one key: the loser reads the winner's.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from HALLPASS_* environment variables."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("HALLPASS_DATA_DIR", "./var")).resolve()
    database_url = env.get("HALLPASS_DATABASE_URL") or f"sqlite://{data_dir / 'hallpass.sqlite3'}"
    secret = env.get("HALLPASS_SECRET_KEY") or load_secret(data_dir)
    origins = tuple(
        o.strip() for o in env.get("HALLPASS_ALLOWED_ORIGINS", "").split(",") if o.strip()
    )
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("HALLPASS_REDIS_URL") or None,
        secret_key=secret,
        secure_cookies=env.get("HALLPASS_INSECURE_COOKIES", "") not in ("1", "true", "yes"),
        allowed_origins=origins,
        trusted_proxies=env.get("HALLPASS_TRUSTED_PROXIES", "").strip(),
    )
