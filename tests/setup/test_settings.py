"""The settings start safely from the environment and serve a developer by default.

Each case runs Django in a subprocess with a clean environment, so the outcome depends only on
the variables given here (not on the shell, CI, or a developer's `.env`, which is ignored).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]

# Keeps a developer's `.env` out of these runs: the settings call Env.read_env at import.
IGNORE_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n"

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dichvucong.example.vn",
    "PUBLIC_BASE_URL": "https://dichvucong.example.vn",
    # the online fee gateway of a real deployment (level-4 procedures take fees online)
    "PAYMENT_PROVIDER": "vnpay",
    "VNPAY_TMN_CODE": "DEMO0001",
    "VNPAY_HASH_SECRET": secrets.token_hex(16),
}


def run_django(code: str, **variables: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **variables,
    }
    program = IGNORE_DOTENV + "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_in_subprocess(names: list[str], **variables: str) -> dict:
    result = run_django(
        "import json\nfrom django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))",
        **variables,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


DEFAULT_NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DATABASES",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
]


@pytest.fixture(scope="module")
def defaults() -> dict:
    """Settings of a clean environment (no variable set at all), computed in one subprocess."""
    return settings_in_subprocess(DEFAULT_NAMES)


def manage(*arguments: str, **variables: str) -> subprocess.CompletedProcess:
    code = (
        "from django.core.management import execute_from_command_line\n"
        f"execute_from_command_line(['manage.py', *{list(arguments)!r}])\n"
    )
    return run_django(code, **variables)


# --- DEBUG=false refuses to start half-configured --------------------------------------------


def test_production_without_secret_key_refuses_to_start_and_says_why():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DEBUG=false requires SECRET_KEY to be set." in result.stderr


def test_production_without_allowed_hosts_refuses_to_start_and_says_why():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DEBUG=false requires ALLOWED_HOSTS to be set." in result.stderr


@pytest.mark.parametrize(
    "address",
    ["", "http://127.0.0.1:8000", "http://localhost:8080", "http://[::1]:8000", "http://127.0.1.1"],
)
def test_production_without_a_public_address_refuses_to_start_and_says_why(address):
    # Every link in SMS, emails and slips is built from it: a loopback one reaches nobody.
    result = manage("check", **{**PRODUCTION, "PUBLIC_BASE_URL": address})
    assert result.returncode != 0
    assert "DEBUG=false requires PUBLIC_BASE_URL to be the public address" in result.stderr


def test_development_keeps_the_loopback_default_for_public_links():
    values = settings_in_subprocess(["PUBLIC_BASE_URL"])
    assert values == {"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}


def test_make_run_points_public_links_at_the_port_it_serves(tmp_path):
    # A stand-in for the venv's python prints the address each `make run` step is given.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text('#!/bin/sh\necho "PUBLIC_BASE_URL=$PUBLIC_BASE_URL"\n')
    fake.chmod(0o755)
    (venv / ".installed").touch()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}

    def make_run(**variables):
        result = subprocess.run(
            ["make", "-s", "run", f"VENV={venv}", *(f"{k}={v}" for k, v in variables.items())],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return set(result.stdout.split())

    assert make_run(PORT="8123") == {"PUBLIC_BASE_URL=http://127.0.0.1:8123"}
    assert make_run() == {"PUBLIC_BASE_URL=http://127.0.0.1:8000"}
    env["PUBLIC_BASE_URL"] = "https://dichvucong.example.vn"
    assert make_run(PORT="8123") == {"PUBLIC_BASE_URL=https://dichvucong.example.vn"}


def test_production_with_secret_key_and_allowed_hosts_starts():
    result = manage("check", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_payment_gateway_starts_and_says_level_4_fees_go_to_the_office():
    without = {k: v for k, v in PRODUCTION.items() if not k.startswith(("PAYMENT", "VNPAY"))}
    result = manage("check", **without)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert set(re.findall(r"\((\w+\.[EW]\d+)\)", output)) == {"dossiers.W003"}, output
    assert "nộp lệ phí tại cơ quan" in output


def test_production_passes_the_security_part_of_the_deployment_checklist():
    # `check --deploy`: HTTPS redirect, HSTS, secure cookies, a strong key, DEBUG off.
    # Only W021 (HSTS preload) is left to the operator: preloading is a long-term commitment.
    result = manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    found = set(re.findall(r"\((security\.[EW]\d+)\)", output))
    assert found <= {"security.W021"}, output


def test_production_https_settings_can_be_relaxed_for_a_plain_http_compose():
    values = settings_in_subprocess(
        ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"],
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": True,
    }


def test_development_default_needs_no_secret_key_and_does_not_force_https(defaults):
    assert defaults["DEBUG"] is True
    assert defaults["SECURE_SSL_REDIRECT"] is False
    assert defaults["SECURE_HSTS_SECONDS"] == 0


def test_the_default_database_is_the_sqlite_file_in_the_project(defaults):
    database = defaults["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == ROOT / "db.sqlite3"


def test_database_connections_are_reused_only_when_asked(defaults):
    assert defaults["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    database = settings_in_subprocess(["DATABASES"], CONN_MAX_AGE="60")["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


# --- Developer defaults ----------------------------------------------------------------------


def test_defaults_are_vietnamese_local_time_with_aware_datetimes_and_the_custom_user():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]


def test_english_is_available_through_the_translation_machinery():
    assert translation.get_supported_language_variant("en-GB") == "en"
    assert translation.get_supported_language_variant("vi-VN") == "vi"
    with translation.override("en"):
        assert translation.get_language() == "en"


@pytest.mark.django_db
def test_pages_answer_in_vietnamese_unless_the_person_chooses_english(client):
    # Any URL works: the locale middleware labels every response with its language.
    assert client.get("/khong-ton-tai/")["Content-Language"] == "vi"
    asks = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    try:
        # A browser's preference alone does not switch pages; the API follows it.
        assert client.get("/khong-ton-tai/", **asks)["Content-Language"] == "vi"
        assert client.get("/api/v1/khong-ton-tai/", **asks)["Content-Language"] == "en"
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
        english = client.get("/khong-ton-tai/")
    finally:  # the request left English active in this thread; later tests expect Vietnamese
        translation.activate(settings.LANGUAGE_CODE)
    assert english["Content-Language"] == "en"


def test_celery_runs_tasks_in_process_when_redis_url_is_unset():
    result = run_django(
        "from portal.celery import app\n"
        "print(app.conf.task_always_eager, app.conf.broker_url, app.conf.task_eager_propagates)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "memory://", "True"]


def test_celery_uses_redis_when_redis_url_is_set():
    result = run_django(
        "from portal.celery import app\nprint(app.conf.task_always_eager, app.conf.broker_url)",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/9"]


def test_email_goes_to_a_local_outbox_folder_by_default(defaults):
    assert defaults["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(defaults["EMAIL_FILE_PATH"]) == ROOT / "var" / "outbox" / "email"


def test_a_sent_email_lands_in_the_outbox_folder_with_its_vietnamese_text(tmp_path):
    outbox = tmp_path / "outbox"
    result = run_django(
        "from django.core.mail import send_mail\n"
        "send_mail('Hồ sơ đã được tiếp nhận', 'Kính gửi ông Nguyễn Văn Đức', None, ['a@example.vn'])",
        EMAIL_FILE_PATH=str(outbox),
    )
    assert result.returncode == 0, result.stderr
    [message] = list(outbox.iterdir())
    text = message.read_text(encoding="utf-8")
    assert "To: a@example.vn" in text
    assert "Subject: =?utf-8?" in text  # the Vietnamese subject, MIME-encoded
