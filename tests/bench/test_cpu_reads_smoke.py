"""bench/cpu_reads.py still runs end to end (few requests) and prints a CPU figure and statements for each read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = ["me", "appointments", "patient", "notifications", "patients", "schedule"]


def test_the_cpu_reads_benchmark_prints_every_read_and_the_profile_split():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    if os.environ.get("TEST_DATABASE_URL"):  # on PostgreSQL: a private database beside it, dropped at the end
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cpu_reads.py"), "--requests", "5", "--repeats", "1",
         "--patients", "20", "--profile", "appointments"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert re.search(r"^bare read \(20 rows\) +[\d.]+ ms CPU per request", out, re.M), out
    for name in READS:
        row = re.search(rf"^{name} +([\d.]+) ms CPU per request +[\d.]+ × bare +\(\d+ bytes, (\d+) statements", out,
                        re.M)
        assert row and float(row.group(1)) > 0 and int(row.group(2)) >= 2, (name, out)
    for part in ("whole request", "authentication", "use case", "response dump"):
        assert re.search(rf"^  {part}.* +[\d.]+ ms per request$", out, re.M), (part, out)
