"""Configuration from the environment, the kept secret, and the command line's guard rails."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from server.cli import main
from server.config import from_env


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = from_env({"HALLPASS_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite://{tmp_path / 'hallpass.sqlite3'}"
    assert settings.is_sqlite
    assert settings.redis_url is None
    assert settings.secure_cookies


def test_the_secret_key_is_made_once_kept_private_and_reused(tmp_path: Path) -> None:
    first = from_env({"HALLPASS_DATA_DIR": str(tmp_path)}).secret_key
    again = from_env({"HALLPASS_DATA_DIR": str(tmp_path)}).secret_key
    assert first == again
    assert len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_settings_follow_the_environment(tmp_path: Path) -> None:
    settings = from_env(
        {
            "HALLPASS_DATA_DIR": str(tmp_path),
            "HALLPASS_DATABASE_URL": "postgres://hallpass@db:5432/hallpass",
            "HALLPASS_REDIS_URL": "redis://cache:6379/0",
            "HALLPASS_SECRET_KEY": "from-the-environment",
            "HALLPASS_ALLOWED_ORIGINS": "https://pass.example.edu, https://kiosk.example.edu",
            "HALLPASS_INSECURE_COOKIES": "1",
            "HALLPASS_TRUSTED_PROXIES": "10.0.0.2",
        }
    )
    assert not settings.is_sqlite
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.secret_key == "from-the-environment"
    assert settings.allowed_origins == ("https://pass.example.edu", "https://kiosk.example.edu")
    assert not settings.secure_cookies
    assert settings.trusted_proxies == "10.0.0.2"
    assert not (tmp_path / "secret_key").exists()


def test_serve_refuses_several_workers_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HALLPASS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLPASS_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--workers", "2"])
    assert exited.value.code == 2
    assert "PostgreSQL" in capsys.readouterr().err
