"""Benchmark: serving a stored document vs rendering a one-line WeasyPrint page.

Documents are rendered once (by the worker, after the commit that issues them) and served from
storage; blank forms are rendered once per version and served from storage. This script times,
in one process and in interleaved rounds (medians), a full Django request through every
middleware (session, authentication, access check, file streaming) for:

- the citizen's CT04 receipt (page `/ho-so/<code>/van-ban/<id>/`),
- a result document (API `GET /api/v1/dossiers/<code>/documents/<id>/`),
- a blank form (`/thu-tuc/<procedure>/mau/<form>.pdf`),

next to WeasyPrint laying out a one-line page (`HTML(string="<p>…</p>").write_pdf()`), the cost a
request would pay at the very least if it rendered.

Definition printed on the last line, re-printed by `make bench`:
`ratio document_served <v>` with v = (one-line render time) / (slowest of the three serve times).
The target "serving ≤ 3× a one-line WeasyPrint page" reads v ≥ 0.33; v > 1 means serving a stored
document is faster than rendering even one line.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres); uses its own database
`portal_bench_documents` (created and seeded with `seed_demo` on first use; --fresh recreates it)
and its own storage folder var/bench/documents.
Usage: .venv/bin/python bench/documents.py [--rounds 5] [--requests 30] [--renders 10] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "portal_bench_documents"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["REDIS_URL"] = ""  # no broker: the "worker" steps run in this process
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ["PRIVATE_STORAGE_ROOT"] = str(ROOT / "var" / "bench" / "documents")
# served as in production
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["PUBLIC_BASE_URL"] = "https://dichvucong.example.vn"


def ensure_database(fresh: bool) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def per_request(client, url: str, n: int, **extra) -> float:
    """Seconds per request (the body read to the end), over n requests."""
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(url, secure=True, **extra)
        assert response.status_code == 200, (url, response.status_code)
        for _chunk in response.streaming_content:
            pass
        response.close()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    ensure_database(args.fresh)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    from portal.catalogue.models import Procedure
    from portal.core import pdf
    from portal.dossiers import services
    from portal.dossiers.models import Document

    if not Document.objects.exists():
        call_command("seed_demo", verbosity=0)
    # the worker's part: every issued document rendered once and stored (again if the stored
    # file is gone, e.g. var/ was cleaned)
    for document in Document.objects.all():
        if document.status == Document.Status.READY and document.file:
            if document.file.storage.exists(document.file.name):
                continue
            Document.objects.filter(pk=document.pk).update(status=Document.Status.PENDING)
        services.render_document(document_id=document.pk)

    receipt = Document.objects.filter(kind="receipt", status="ready").select_related("dossier")[0]
    result = Document.objects.filter(kind="result", status="ready").select_related("dossier")
    result = result.first() or receipt
    procedure = next(
        p
        for p in Procedure.objects.filter(is_published=True, level__gte=2).order_by("code")
        if p.forms.exists()
    )
    form = procedure.forms.order_by("code").first()

    page = Client()
    page.force_login(receipt.dossier.citizen)
    api = APIClient()
    api.force_authenticate(result.dossier.citizen)
    anonymous = Client()
    paths = {
        "CT04 receipt (page)": (
            page,
            f"/ho-so/{receipt.dossier.code}/van-ban/{receipt.pk}/",
        ),
        f"{result.kind} (API)": (
            api,
            f"/api/v1/dossiers/{result.dossier.code}/documents/{result.pk}/",
        ),
        f"blank form {form.code} ({procedure.code})": (
            anonymous,
            f"/thu-tuc/{procedure.code}/mau/{form.code}.pdf",
        ),
    }
    from weasyprint import HTML

    def one_line() -> float:
        start = time.perf_counter()
        for _ in range(args.renders):
            HTML(string="<p>Cổng dịch vụ công – một dòng.</p>").write_pdf()
        return (time.perf_counter() - start) / args.renders

    # warm-up: imports, fonts, the blank form's first (and only) rendering
    one_line()
    for client, url in paths.values():
        per_request(client, url, 2)
    renders_before = pdf.render_count

    baseline: list[float] = []
    served: dict[str, list[float]] = {name: [] for name in paths}
    for _round in range(args.rounds):
        baseline.append(one_line())
        for name, (client, url) in paths.items():
            served[name].append(per_request(client, url, args.requests))
    assert pdf.render_count == renders_before, "a request path rendered a PDF"

    line = statistics.median(baseline)
    print(
        f"one-line WeasyPrint page:        {line * 1000:7.2f} ms  (median of {args.rounds} rounds)"
    )
    worst = 0.0
    for name, times in served.items():
        t = statistics.median(times)
        worst = max(worst, t)
        print(f"serve {name:<28} {t * 1000:7.2f} ms  ({t / line:.2f}× the one-line page)")
    print("in-process Django test client, DEBUG=false, PostgreSQL, file system storage")
    print(f"ratio document_served {line / worst:.3f}")


if __name__ == "__main__":
    main()
