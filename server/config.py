"""Settings read from the environment (DESIGN.md section 4), with a secret kept on first run."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server notifications are sent through."""

    host: str
    port: int = 587
    sender: str = "hallpass@localhost"
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.lower() in ("1", "true", "yes")


def smtp_from_env(env: dict[str, str]) -> SmtpSettings | None:
    """Read HALLPASS_SMTP_HOST, _PORT, _FROM, _STARTTLS, _USER and _PASSWORD."""
    host = env.get("HALLPASS_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpSettings(
        host=host,
        port=int(env.get("HALLPASS_SMTP_PORT") or 587),
        sender=env.get("HALLPASS_SMTP_FROM") or "hallpass@localhost",
        starttls=_flag(env.get("HALLPASS_SMTP_STARTTLS"), True),
        user=env.get("HALLPASS_SMTP_USER") or None,
        password=env.get("HALLPASS_SMTP_PASSWORD") or None,
    )


# The app built by `npm --prefix pwa run build`, beside the server package in a checkout.
DEFAULT_PWA_DIR = Path(__file__).resolve().parents[1] / "pwa" / "dist"


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
    # Outgoing mail (HALLPASS_SMTP_*); no host: nothing is emailed.
    smtp: SmtpSettings | None = None
    # The contact a push service may write to about our traffic (RFC 8292 `sub`).
    vapid_subject: str = "mailto:hallpass@localhost"
    # Hosts a push subscription may name besides the browsers' push services (tests and
    # self-hosted push servers); plain http is allowed only for these.
    push_hosts: tuple[str, ...] = ()
    # Hosts a school's webhooks may name (HALLPASS_WEBHOOK_HOSTS); empty: any host. The server
    # POSTs to these URLs, so a district can keep a school's admin from pointing it inward.
    webhook_hosts: tuple[str, ...] = ()
    # The built PWA (HALLPASS_PWA_DIR; default: pwa/dist of this checkout).
    pwa_dir: Path = DEFAULT_PWA_DIR
    # HALLPASS_DEMO_TIMETABLE=0 seeds the demo school without its sections: every student
    # stays in their homeroom all day, so a walkthrough (or a test) goes the same at any hour.
    demo_timetable: bool = True
    # Where browsers reach this deployment (HALLPASS_PUBLIC_URL, e.g. https://hallpass.example.org):
    # single sign-on's redirect URI is this + /api/sso/callback. None: read from each request.
    public_url: str | None = None

    @property
    def is_sqlite(self) -> bool:
        """Say whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


def host_list(value: str) -> tuple[str, ...]:
    """Return the host names of a comma-separated list, lower-cased, blanks dropped."""
    return tuple(h.strip().lower() for h in value.split(",") if h.strip())


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
        smtp=smtp_from_env(env),
        vapid_subject=env.get("HALLPASS_VAPID_SUBJECT") or "mailto:hallpass@localhost",
        push_hosts=host_list(env.get("HALLPASS_PUSH_HOSTS", "")),
        demo_timetable=_flag(env.get("HALLPASS_DEMO_TIMETABLE"), True),
        webhook_hosts=host_list(env.get("HALLPASS_WEBHOOK_HOSTS", "")),
        public_url=(env.get("HALLPASS_PUBLIC_URL") or "").strip().rstrip("/") or None,
        pwa_dir=Path(env["HALLPASS_PWA_DIR"]).resolve()
        if env.get("HALLPASS_PWA_DIR")
        else DEFAULT_PWA_DIR,
    )
