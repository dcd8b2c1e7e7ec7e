"""bench/sqlite_load.py still runs end to end (a few clients, a few seconds) and finds no 5xx."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="the benchmark always uses a SQLite file of its own: once per suite run is enough")
def test_the_sqlite_load_benchmark_runs_without_server_errors():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sqlite_load.py"), "--clients", "6", "--seconds", "4",
         "--workers", "2", "--slots", "2"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    total = int(re.search(r"^requests: (\d+) in ", out, re.M).group(1))
    assert total >= 6, out
    assert re.search(r"^5xx: 0$", out, re.M), out
    assert re.search(r"^  booking: \d+ \(", out, re.M) and re.search(r"^  api read: \d+ \(", out, re.M), out
    booked = re.search(r"^bookings: (\d+) × 201 for 2 contested slots; booked once (\d+), more than once 0$", out, re.M)
    assert booked and booked.group(1) == booked.group(2), out
