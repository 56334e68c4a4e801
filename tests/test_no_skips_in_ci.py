"""Under PORTAL_REQUIRE_SERVICES=1 (CI) no test may skip: every skip is a failure naming its
reason, expected failures stay expected. Checked by running pytest on a tiny suite that uses the
hooks of tests/conftest.py, in a subprocess, with and without the variable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TINY_SUITE = {
    "conftest.py": """
        import pytest

        from tests.conftest import pytest_make_collect_report, pytest_runtest_makereport  # noqa


        @pytest.fixture
        def browser():
            pytest.skip("Chromium not available")
    """,
    "test_tiny.py": """
        import pytest


        def test_skips_in_the_body():
            pytest.skip("pdftotext is not installed")


        @pytest.mark.skipif(True, reason="GNU gettext is not installed")
        def test_skipif_mark():
            pass


        def test_skips_in_a_fixture(browser):
            pass


        @pytest.mark.xfail(reason="a known bug", strict=True)
        def test_expected_failure():
            assert False


        def test_passes():
            pass
    """,
    "test_module_skip.py": """
        import pytest

        pytest.importorskip("no_such_module_for_the_tiny_suite")


        def test_never_collected():
            pass
    """,
}


def _run(tmp_path: Path, *, require: bool) -> subprocess.CompletedProcess:
    for name, source in TINY_SUITE.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_REQUIRE_SERVICES",)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PYTHONPATH"] = str(ROOT)
    if require:
        env["PORTAL_REQUIRE_SERVICES"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-rA",
            # a module-level skip is a collection error: in a real run it stops the run there
            "--continue-on-collection-errors",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_under_ci_every_skip_is_a_failure_naming_its_reason(tmp_path):
    result = _run(tmp_path, require=True)
    out = result.stdout
    assert result.returncode != 0, out
    summary = out.strip().splitlines()[-1]
    # a skip in the test body fails the test; at setup (mark, fixture) or collection it errors
    assert "1 failed" in summary and "3 errors" in summary, out
    assert "1 passed" in summary and "1 xfailed" in summary, out
    assert "skipped" not in summary, out
    for reason in (
        "pdftotext is not installed",
        "GNU gettext is not installed",
        "Chromium not available",
        "no_such_module_for_the_tiny_suite",
    ):
        assert reason in out, (reason, out)
    assert "PORTAL_REQUIRE_SERVICES=1 allows no skip" in out


def test_outside_ci_skips_stay_skips(tmp_path):
    result = _run(tmp_path, require=False)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout
    assert "4 skipped" in summary and "1 passed" in summary and "1 xfailed" in summary, summary
