"""The Docker image and the compose stack agree with the settings and with each other.

Docker is not available where the tests run, so these read the files: a wrong variable name, a
queue nobody consumes or a volume only one process sees would otherwise show up only in production.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
WEASYPRINT_LIBRARIES = ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]
APP_SERVICES = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def documented_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_stack_has_web_worker_beat_postgresql_redis_and_an_smtp_sink(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "mailpit"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert "gunicorn portal.wsgi" in services["web"]["command"]
    assert "manage.py migrate" in services["web"]["command"]
    assert shlex.split(services["beat"]["command"])[:4] == ["celery", "-A", "portal", "beat"]


def test_the_worker_consumes_every_queue_the_settings_route_tasks_to(compose):
    command = shlex.split(compose["services"]["worker"]["command"])
    assert command[:4] == ["celery", "-A", "portal", "worker"]
    consumed = set(command[command.index("-Q") + 1].split(","))
    from portal.celery import app

    declared = {queue.name for queue in app.conf.task_queues}
    assert declared == set(settings.TASK_QUEUE_NAMES) >= {"celery", "otp"}
    routed = {route["queue"] for route in getattr(settings, "CELERY_TASK_ROUTES", {}).values()}
    assert declared | routed <= consumed


def test_web_and_worker_share_the_private_storage_volume(compose):
    mounts = {}
    for name in ("web", "worker"):
        service = compose["services"][name]
        root = service["environment"]["PRIVATE_STORAGE_ROOT"]
        [volume] = [m.split(":")[0] for m in service["volumes"] if m.split(":")[1] == root]
        mounts[name] = volume
    assert mounts["web"] == mounts["worker"]
    assert mounts["web"] in compose["volumes"]  # a named volume, not a folder in one container


def test_web_and_worker_send_email_to_the_smtp_sink(compose):
    for name in ("web", "worker"):
        environment = compose["services"][name]["environment"]
        assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert "mailpit" in environment["EMAIL_HOST"]
        assert "1025" in environment["EMAIL_PORT"]  # Mailpit's SMTP port


def test_the_app_runs_in_production_mode_against_postgresql_and_redis(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["DEBUG"] == "false"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        # SECRET_KEY is never baked in: compose refuses to start without one.
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_every_variable_given_to_the_app_is_a_documented_setting(compose):
    documented = documented_variables() | {"WEB_CONCURRENCY"}  # read by gunicorn itself
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - documented
        assert not unknown, f"{name}: {sorted(unknown)} are not settings (typo?)"


def test_services_wait_only_for_dependencies_that_report_health(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert rule["condition"] == "service_healthy", (name, dependency)
            assert "healthcheck" in services[dependency], dependency


def test_the_image_is_python_3_11_slim_with_the_weasyprint_libraries(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, flags=re.MULTILINE)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert ">=3.11" in requires
    for package in [*WEASYPRINT_LIBRARIES, "fonts-dejavu-core"]:
        assert re.search(rf"\s{re.escape(package)}\s", dockerfile), package


def test_the_image_installs_pinned_versions_runs_as_a_user_and_collects_static(dockerfile):
    assert "pip install -c constraints.txt" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "manage.py collectstatic --noinput" in dockerfile
    assert re.search(r'^CMD \["gunicorn", "portal\.wsgi:application"', dockerfile, re.MULTILINE)


def test_the_dependency_list_the_image_installs_is_the_projects(dockerfile):
    # The Dockerfile extracts [project].dependencies with tomllib; check that yields the real list.
    [snippet] = re.findall(r'python -c "(import tomllib;.*?)"', dockerfile)
    assert "['project']['dependencies']" in snippet
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[\[<>=~! ]", d)[0].lower() for d in dependencies}
    assert {"django", "gunicorn", "weasyprint", "celery", "psycopg2-binary"} <= names


def test_the_build_context_keeps_what_the_build_needs_and_drops_local_state():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(
            fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns
        )

    for needed in [
        "pyproject.toml",
        "constraints.txt",
        "manage.py",
        "README.md",
        "portal/settings.py",
        "templates/base.html",
        "static/fonts/DejaVuSans.ttf",
    ]:
        assert not ignored(needed), needed
    for dropped in [".env", ".venv/bin/python", ".git/HEAD", "db.sqlite3", "var/private/x.pdf"]:
        assert ignored(dropped), dropped


def test_the_readme_lists_the_same_system_libraries_as_the_image():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in WEASYPRINT_LIBRARIES:
        assert package in readme, package
