"""Settings read from the environment: strict helpers, a deployable configuration."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from dealership.env import env_bool, env_int, env_list, env_secret

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --- env_bool -----------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("1", True), ("true", True), (" Yes ", True), ("ON", True),
    ("0", False), ("false", False), ("no", False), ("off", False), ("", False),
])
def test_env_bool_reads_known_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEALERSHIP_TEST_FLAG", raw)

    assert env_bool("DEALERSHIP_TEST_FLAG", not expected) is expected


def test_env_bool_absent_returns_default(monkeypatch):
    monkeypatch.delenv("DEALERSHIP_TEST_FLAG", raising=False)

    assert env_bool("DEALERSHIP_TEST_FLAG", True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "y es"])
def test_env_bool_bad_value_raises(monkeypatch, raw):
    monkeypatch.setenv("DEALERSHIP_TEST_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="DEALERSHIP_TEST_FLAG must be a boolean"):
        env_bool("DEALERSHIP_TEST_FLAG", False)


# --- env_int ------------------------------------------------------------------------------
def test_env_int_reads_integer(monkeypatch):
    monkeypatch.setenv("DEALERSHIP_TEST_INT", " 42 ")

    assert env_int("DEALERSHIP_TEST_INT", 7, minimum=0) == 42


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_int_absent_or_blank_returns_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("DEALERSHIP_TEST_INT", raising=False)
    else:
        monkeypatch.setenv("DEALERSHIP_TEST_INT", raw)

    assert env_int("DEALERSHIP_TEST_INT", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "3e2", "0x10"])
def test_env_int_not_an_integer_raises(monkeypatch, raw):
    monkeypatch.setenv("DEALERSHIP_TEST_INT", raw)

    with pytest.raises(ImproperlyConfigured, match="DEALERSHIP_TEST_INT must be an integer"):
        env_int("DEALERSHIP_TEST_INT", 7)


def test_env_int_below_minimum_raises(monkeypatch):
    monkeypatch.setenv("DEALERSHIP_TEST_INT", "-1")

    with pytest.raises(ImproperlyConfigured, match="DEALERSHIP_TEST_INT must be at least 0"):
        env_int("DEALERSHIP_TEST_INT", 7, minimum=0)


# --- env_list -----------------------------------------------------------------------------
def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("DEALERSHIP_TEST_LIST", " dealer.example.com, ,www.example.com,")

    assert env_list("DEALERSHIP_TEST_LIST", ["default"]) == [
        "dealer.example.com", "www.example.com",
    ]


def test_env_list_absent_returns_copy_of_default(monkeypatch):
    monkeypatch.delenv("DEALERSHIP_TEST_LIST", raising=False)
    default = ["localhost"]

    value = env_list("DEALERSHIP_TEST_LIST", default)

    assert value == ["localhost"]
    assert value is not default


# --- env_secret ---------------------------------------------------------------------------
def test_env_secret_reads_variable(monkeypatch):
    monkeypatch.delenv("DEALERSHIP_TEST_SECRET_FILE", raising=False)
    monkeypatch.setenv("DEALERSHIP_TEST_SECRET", "from-the-variable")

    assert env_secret("DEALERSHIP_TEST_SECRET") == "from-the-variable"


def test_env_secret_file_wins_and_is_stripped(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("DEALERSHIP_TEST_SECRET", "from-the-variable")
    monkeypatch.setenv("DEALERSHIP_TEST_SECRET_FILE", str(secret_file))

    assert env_secret("DEALERSHIP_TEST_SECRET") == "from-the-file"


def test_env_secret_unreadable_file_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("DEALERSHIP_TEST_SECRET_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured,
                       match="DEALERSHIP_TEST_SECRET_FILE points to an unreadable file"):
        env_secret("DEALERSHIP_TEST_SECRET")


def test_env_secret_absent_returns_default(monkeypatch):
    monkeypatch.delenv("DEALERSHIP_TEST_SECRET", raising=False)
    monkeypatch.delenv("DEALERSHIP_TEST_SECRET_FILE", raising=False)

    assert env_secret("DEALERSHIP_TEST_SECRET", "fallback") == "fallback"


# --- The settings module as a deployment sees it -------------------------------------------
def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is a test-harness switch that
    # check --deploy rightly warns about; a deployment never has it.
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="dealer.example.com",
        DJANGO_SETTINGS_MODULE="dealership.settings",
        # Keep the subprocess's SQLite file and Celery folders out of the checkout.
        DATA_DIR=str(tmp_path),
    )
    env.update(overrides)
    return env


def test_check_deploy_passes_in_production_configuration(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=_production_env(tmp_path), capture_output=True, text=True,
        timeout=120, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_without_secret_key_fail_when_debug_off(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_read_the_checkouts_key_file_when_no_key_is_set(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    (tmp_path / "secret_key").write_text("key-from-the-data-dir-0123456789\n", encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "key-from-the-data-dir-0123456789"


def test_settings_with_bad_boolean_fail_loudly(tmp_path):
    env = _production_env(tmp_path, DEBUG="maybe")

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check found changes without a migration "
                    f"(exit {exit_.code}):\n{out.getvalue()}")

    assert out.getvalue().strip() == "No changes detected"
