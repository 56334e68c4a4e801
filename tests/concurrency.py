"""Run functions at the same moment in threads (one database connection each), for the tests that
prove a rule holds under concurrency on PostgreSQL (two approvals, two bookings, two renewals …)."""

from __future__ import annotations

import threading

from django.db import close_old_connections, connection


def run_at_once(functions, *, start_timeout: float = 20, join_timeout: float = 120) -> list:
    """Start every function together (a barrier) and wait; returns, in order, ("ok", value) or
    ("error", exception) per function."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait(timeout=start_timeout)
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)
    return results
