"""bench/http_reads.py still runs end to end (short rounds, few rows) and prints its report's shape."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ["GET /api/v1/me", "GET /api/v1/patients/<id>/appointments", "GET /api/v1/patients/<id>",
             "GET /api/v1/notifications", "GET staff patient list", "GET staff schedule day", "POST book + cancel",
             "bare read (20 indexed rows)", "bare write (1-row insert)"]


def test_the_http_reads_benchmark_prints_every_endpoint_and_a_ratio_last():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    if os.environ.get("TEST_DATABASE_URL"):  # on PostgreSQL: a private database beside it, dropped at the end
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "http_reads.py"), "--seconds", "0.5", "--rounds", "1",
         "--connections", "2", "--workers", "1", "--patients", "30", "--rows", "3"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for name in ENDPOINTS:
        row = re.search(rf"^{re.escape(name)} +rps +([\d.]+) +p50 +([\d.]+) ms +p99 +([\d.]+) ms +non-2xx 0$",
                        out, re.M)
        assert row, (name, out)
        assert float(row.group(1)) > 0 and float(row.group(2)) <= float(row.group(3)), (name, out)
    assert re.search(r"^write ratio \d+\.\d\d$", out, re.M), out
    last = out.strip().splitlines()[-1]
    ratio = re.fullmatch(r"ratio (\d+\.\d\d)", last)
    assert ratio and float(ratio.group(1)) > 0, out
    reads = [float(m) for m in re.findall(r"^read ratio .*: (\d+\.\d\d)$", out, re.M)]
    assert len(reads) == 6 and float(ratio.group(1)) == min(reads), out
